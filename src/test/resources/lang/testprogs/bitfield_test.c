// cc: -O0 -g
// Stand-in for bpftrace's testprogs/bitfield_test (written for bpf4j): func() gets a struct of bit fields, func2()
// one whose bit-fields of two types share storage units (v0.26's bitfield_access_2).
struct Foo { unsigned int a : 4, b : 8, c : 3, d : 1, e : 16; };
struct Bar { short a : 4, b : 8, c : 3, d : 1; int e : 9, f : 15, g : 1, h : 2, i : 5; };

__attribute__((noinline)) void func(struct Foo *foo) { __asm__ volatile("" ::"r"(foo) : "memory"); }
__attribute__((noinline)) void func2(struct Bar *bar) { __asm__ volatile("" ::"r"(bar) : "memory"); }

int main(void) {
    struct Foo foo = {1, 2, 5, 0, 65535};
    func(&foo);
    // the bits bpftrace's case reads back: 1 217 5 1 500 31117 1 2 27 (stored unsigned, as it reads them)
    struct Bar bar = {0};
    bar.a = 1; bar.b = (short)217; bar.c = 5; bar.d = -1;
    bar.e = 500; bar.f = 31117; bar.g = -1; bar.h = 2; bar.i = 27;
    func2(&bar);
    return 0;
}
