// cc: -O0 -g -fPIE -pie
// Stand-in for bpftrace's testprogs/uprobe_test-pie (written for bpf4j): uprobe_test built as a position-independent
// executable, for uaddr() on a file loaded at a random address.
#include "uprobe_test.c"
