// cc: -O0 -g
// Stand-in for bpftrace's testprogs/string_args (written for bpf4j): print() gets a string.
#include <stdio.h>

__attribute__((noinline)) void print(const char *s) { puts(s); }

int main(void) {
    char text[] = "hello world"; // on the stack, which is mapped (a probe cannot fault in a page of .rodata)
    print(text);
    return 0;
}
