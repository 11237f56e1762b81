// cc: -O0 -g -no-pie
// Stand-in for bpftrace's testprogs/uprobe_test (written for bpf4j): v0.17's function1 and function2 and v0.26's
// uprobeFunction1, uprobeFunction2, uprobeFunctionBranching, uprobeFunctionBar and uprobeFunctionUint128, with the
// structs their cases read, globals with known values for uaddr() (built without PIE: uaddr() gives link-time
// addresses). It calls them all every 100 ms for 10 s, so that a listing by pid finds the process alive and a probe
// attached by pid after the start is hit, on a busy machine too (v0.26's runs until it is killed; v0.17's cases
// run it with -c and wait for its end).
#include <string.h>
#include <time.h>

struct Foo { int a; char b[10]; int c[3]; __int128_t d; };
struct Bar { int x; struct Foo *foos[2]; struct Foo nested; };
int GLOBAL_A = 0x55555555;
int GLOBAL_B = 0x44444444;
int GLOBAL_C = 0x33333333;
char GLOBAL_D = 8;

__attribute__((noinline)) int function1(int *n, char c) { __asm__ volatile("" ::: "memory"); return *n + c; }
__attribute__((noinline)) int function2(struct Foo *foo1, struct Foo *foo2) {
    __asm__ volatile("" ::: "memory");
    return foo1->a + foo2->a;
}
__attribute__((noinline)) int uprobeFunction1(int *n, char c) { __asm__ volatile("" ::: "memory"); return *n + 0 * c; }
__attribute__((noinline)) struct Foo *uprobeFunction2(struct Foo *foo1, struct Foo *foo2) {
    __asm__ volatile("" ::: "memory");
    return foo2 ? foo1 : foo1;
}
__attribute__((noinline)) int uprobeFunctionBranching(int n) { return n == 1 ? 1 : n == 2 ? 2 : 3; }
__attribute__((noinline)) struct Bar *uprobeFunctionBar(struct Bar *bar) { __asm__ volatile("" ::: "memory"); return bar; }
__attribute__((noinline)) __uint128_t uprobeFunctionUint128(__uint128_t x, __uint128_t y, __uint128_t z, __uint128_t w) {
    __asm__ volatile("" ::: "memory");
    return x + w + 0 * (y + z);
}

int main(void) {
    struct timespec tick = {0, 100 * 1000 * 1000};
    for (int i = 0; i < 100; i++) {
        int n = 13;
        char c = 'x';
        struct Foo foo1 = {123, "hello", {1, 2, 3}, 0x123456789ABCDEF0}, foo2 = {456, "world", {4, 5, 6}, (__int128_t) 0xFEDCBA9876543210};
        function1(&n, c);
        function2(&foo1, &foo2);
        uprobeFunction1(&n, c);
        uprobeFunction2(&foo1, &foo2);
        uprobeFunctionBranching(n);
        struct Bar bar = {42, {&foo1, &foo2}, foo1};
        uprobeFunctionBar(&bar);
        uprobeFunctionUint128(0x123456789ABCDEF0, 0xEFEFEFEFEFEFEFEF, 0xCDCDCDCDCDCDCDCD, 0xABABABABABABABAB);
        nanosleep(&tick, 0);
    }
    return 0;
}
