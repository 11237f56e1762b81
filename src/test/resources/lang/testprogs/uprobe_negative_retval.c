// cc: -O0 -g
// Stand-in for bpftrace's testprogs/uprobe_negative_retval (written for bpf4j): function1 returns each of
// -120..100 once (221 calls, total -2210), and main returns -100.
__attribute__((noinline)) int function1(int n) { __asm__ volatile("" ::: "memory"); return n; }

int main(void) {
    int total = 0;
    for (int i = -120; i <= 100; i++) total += function1(i);
    return total == -2210 ? -100 : 1;
}
