// cc: -O0 -g
// Stand-in for bpftrace's testprogs/intptrcast (written for bpf4j): fn's seventh argument goes on the stack, so
// at its entry *(uint16 *)(sp + 8) is 3258.
__attribute__((noinline)) int fn(long a, long b, long c, long d, long e, long f, long g) {
    __asm__ volatile("" ::: "memory");
    return (int)(a + b + c + d + e + f + g);
}

int main(void) {
    return fn(1, 2, 3, 4, 5, 6, 3258) == 3279 ? 0 : 1;
}
