// cc: -O0 -g
// bpf4j's stand-in for bpftrace's testprogs/array_access (written for bpf4j, not copied): functions that take
// structs holding int arrays (and the bytes aa bb cc dd after them) and an int array, for the array cases; an array of pointers to 1, 2, 3 and 4
// (test_ptr_array) and a struct ending in a flexible array whose first element is 1 (test_variable_array).
struct A { int x[4]; unsigned char y[4]; };
struct B { int y[2][2]; };
struct C { int *z[4]; };
struct D { int x; int y[1]; };

__attribute__((noinline)) void test_struct(struct A *a, struct B *b) { __asm__ volatile("" ::"r"(a), "r"(b) : "memory"); }
__attribute__((noinline)) void test_array(int *a) { __asm__ volatile("" ::"r"(a) : "memory"); }
__attribute__((noinline)) void test_arrays(struct A *a, struct A *b) { __asm__ volatile("" ::"r"(a), "r"(b) : "memory"); }
__attribute__((noinline)) void test_ptr_array(struct C *c) { __asm__ volatile("" ::"r"(c) : "memory"); }
__attribute__((noinline)) void test_variable_array(struct D *d) { __asm__ volatile("" ::"r"(d) : "memory"); }

int main(void) {
    struct A a = {{1, 2, 3, 4}, {0xaa, 0xbb, 0xcc, 0xdd}};
    struct B b = {{{5, 6}, {7, 8}}};
    struct A c = {{4, 3, 2, 1}, {0xaa, 0xbb, 0xcc, 0xdd}};
    test_struct(&a, &b);
    test_array(a.x);
    test_arrays(&a, &c);
    int one = 1, two = 2, three = 3, four = 4;
    struct C p = {{&one, &two, &three, &four}};
    test_ptr_array(&p);
    struct D d = {0, {1}};
    test_variable_array(&d);
    return 0;
}
