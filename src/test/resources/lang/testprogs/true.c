// cc: -O0
// Stand-in for bpftrace's testprogs/true (written for bpf4j): exits with 0 at once, whatever its arguments; v0.26's
// string cases exec it to read its path and arguments at sys_enter_execve.
int main(void) { return 0; }
