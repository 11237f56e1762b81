// cc: -O0 -g
// Stand-in for bpftrace's testprogs/ptr_to_ptr (written for bpf4j): function() gets a pointer to a pointer.
struct Foo { int a; char b[10]; };

__attribute__((noinline)) void function(struct Foo **pp) { __asm__ volatile("" ::"r"(pp) : "memory"); }

int main(void) {
    struct Foo foo = {123, "hello"};
    struct Foo *p = &foo;
    function(&p);
    return 0;
}
