// cc: -O0 -g
// Stand-in for bpftrace's testprogs/struct_walk (written for bpf4j): clear() gets a struct whose first field is 3.
#include <stdint.h>

struct C { uint32_t a; uint32_t b; };

__attribute__((noinline)) void clear(struct C *c) { __asm__ volatile("" ::"r"(c) : "memory"); }

int main(void) {
    struct C c = {3, 4};
    clear(&c);
    return 0;
}
