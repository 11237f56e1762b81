// cc: -O0 -g
// Stand-in for bpftrace's testprogs/simple_struct (written for bpf4j): func() gets a struct of two ints, 2 and 3.
struct Foo { int m; int n; };

__attribute__((noinline)) void func(struct Foo *foo) { __asm__ volatile("" ::"r"(foo) : "memory"); }

int main(void) {
    struct Foo foo = {2, 3};
    func(&foo);
    return 0;
}
