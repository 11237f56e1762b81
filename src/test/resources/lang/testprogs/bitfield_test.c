// cc: -O0 -g
// Stand-in for bpftrace's testprogs/bitfield_test (written for bpf4j): func() gets a struct of bit fields.
struct Foo { unsigned int a : 4, b : 8, c : 3, d : 1, e : 16; };

__attribute__((noinline)) void func(struct Foo *foo) { __asm__ volatile("" ::"r"(foo) : "memory"); }

int main(void) {
    struct Foo foo = {1, 2, 5, 0, 65535};
    func(&foo);
    return 0;
}
