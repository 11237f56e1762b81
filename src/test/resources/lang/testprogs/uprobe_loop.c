// cc: -O0 -g
// Stand-in for bpftrace's testprogs/uprobe_loop (written for bpf4j): main calls spin, which calls uprobeFunction1
// every 10 ms, so a uprobe attached after the start is hit and its user stack is uprobeFunction1, spin, main.
// It stops by itself after 30 s (upstream's runs until it is killed), so nothing outlives a case for long.
#include <time.h>

__attribute__((noinline)) int uprobeFunction1(int *n, char c) { __asm__ volatile("" ::: "memory"); return *n + c; }

__attribute__((noinline)) void spin(void) {
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 3000; i++) {
        int n = 13;
        uprobeFunction1(&n, 'x');
        nanosleep(&tick, 0);
    }
}

int main(void) {
    spin();
    return 0;
}
