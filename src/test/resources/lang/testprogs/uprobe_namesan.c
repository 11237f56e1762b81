// cc: -O0 -g
// Stand-in for bpftrace's testprogs/uprobe_namesan (written for bpf4j): functions whose symbols start with "fn",
// one of them with dots in its name, as compilers name clones.
__attribute__((noinline)) int fn(int n) { __asm__ volatile("" ::: "memory"); return n + 1; }
__attribute__((noinline)) int fn_clone(int n) __asm__("fn.isra.0");
__attribute__((noinline)) int fn_clone(int n) { __asm__ volatile("" ::: "memory"); return n + 2; }

int main(void) {
    return fn(1) + fn_clone(1) == 5 ? 0 : 1;
}
