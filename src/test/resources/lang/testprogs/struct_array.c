// cc: -O0 -g
// Stand-in for bpftrace's testprogs/struct_array (written for bpf4j): clear() gets a struct holding an array of
// ten structs, w[i].a = 100 + i, w[i].t.a = i, w[i].t.b[1] = 100 - 2i.
#include <stdint.h>

struct T { uint32_t a; uint32_t b[2]; };
struct W { uint32_t a; struct T t; };
struct C { uint32_t a; void *b; struct W w[10]; };

__attribute__((noinline)) void clear(struct C *c) { __asm__ volatile("" ::"r"(c) : "memory"); }

int main(void) {
    struct C c = {0};
    for (int i = 0; i < 10; i++) {
        c.w[i].a = 100 + i;
        c.w[i].t.a = i;
        c.w[i].t.b[0] = i;
        c.w[i].t.b[1] = 100 - 2 * i;
    }
    clear(&c);
    return 0;
}
