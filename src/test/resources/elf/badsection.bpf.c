// A program in a section no row of libbpf's table names.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("bogus/thing")
int lost(void *ctx)
{
    return 0;
}
