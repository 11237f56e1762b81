// cc: -O0 -g
// bpf4j's stand-in for bpftrace's testprogs/array_access (written for bpf4j, not copied): functions that take
// structs holding int arrays and an int array, for the array cases.
struct A { int x[4]; };
struct B { int y[2][2]; };

__attribute__((noinline)) void test_struct(struct A *a, struct B *b) { __asm__ volatile("" ::"r"(a), "r"(b) : "memory"); }
__attribute__((noinline)) void test_array(int *a) { __asm__ volatile("" ::"r"(a) : "memory"); }
__attribute__((noinline)) void test_arrays(struct A *a, struct A *b) { __asm__ volatile("" ::"r"(a), "r"(b) : "memory"); }

int main(void) {
    struct A a = {{1, 2, 3, 4}};
    struct B b = {{{5, 6}, {7, 8}}};
    struct A c = {{4, 3, 2, 1}};
    test_struct(&a, &b);
    test_array(a.x);
    test_arrays(&a, &c);
    return 0;
}
