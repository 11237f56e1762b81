// cc: -O0 -g
// Stand-in for bpftrace's testprogs/intptrcast (written for bpf4j): fn's first argument points to the uint16s
// {0, 1110} (v0.26's case reads the second), and its seventh goes on the stack, so at its entry
// *(uint16 *)(sp + 8) is 3258 (v0.17's case).
__attribute__((noinline)) int fn(unsigned short *a, long b, long c, long d, long e, long f, long g) {
    __asm__ volatile("" ::: "memory");
    return (int)(a[1] + b + c + d + e + f + g);
}

int main(void) {
    unsigned short v[2] = {0, 1110};
    return fn(v, 2, 3, 4, 5, 6, 3258) == 1110 + 2 + 3 + 4 + 5 + 6 + 3258 ? 0 : 1;
}
