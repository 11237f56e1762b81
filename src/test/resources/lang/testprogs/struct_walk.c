// cc: -O0 -g
// Stand-in for bpftrace's testprogs/struct_walk (written for bpf4j): clear() gets an array of 10 structs, the
// first field of each its index (0..9, 45 in all), the second 100 (1000 in all), and the array's length.
#include <stdint.h>

struct C { uint32_t a; uint64_t b; };

__attribute__((noinline)) void clear(struct C *c, int n) { __asm__ volatile("" ::"r"(c), "r"(n) : "memory"); }

int main(void) {
    struct C c[10];
    for (int i = 0; i < 10; i++) {
        c[i].a = (uint32_t)i;
        c[i].b = 100;
    }
    clear(c, 10);
    return 0;
}
