// cc: -O0 -g -no-pie
// Stand-in for bpftrace's testprogs/uprobe_test (written for bpf4j): function1 and function2 with two structs,
// globals with known values for uaddr() (built without PIE: uaddr() gives link-time addresses), then a pause so
// that a listing by pid finds the process alive.
#include <string.h>
#include <time.h>

struct Foo { int a; char b[10]; };
int GLOBAL_A = 0x55555555;
int GLOBAL_B = 0x44444444;
int GLOBAL_C = 0x33333333;

__attribute__((noinline)) int function1(int *n, char c) { __asm__ volatile("" ::: "memory"); return *n + c; }
__attribute__((noinline)) int function2(struct Foo *foo1, struct Foo *foo2) {
    __asm__ volatile("" ::: "memory");
    return foo1->a + foo2->a;
}

int main(void) {
    int n = 13;
    struct Foo foo1 = {123, "hello"}, foo2 = {456, "world"};
    function1(&n, 'x');
    function2(&foo1, &foo2);
    struct timespec pause = {3, 0};
    nanosleep(&pause, 0);
    return 0;
}
