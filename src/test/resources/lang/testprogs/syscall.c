// cc: -O1 -g
// Stand-in for bpftrace's testprogs/syscall (written for bpf4j, not copied): makes the one system call asked for.
//   syscall nanosleep NS      nanosleep(2) for NS nanoseconds (accepts 1e8)
//   syscall openat            openat(AT_FDCWD, "/tmp/bpftrace_runtime_test_syscall_gen_open_temp", O_CREAT), removed after
//   syscall execve PATH ARGS  execve(2) of PATH with ARGS
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "nanosleep") == 0) {
        long ns = argc > 2 ? (long)strtod(argv[2], 0) : 100000000L;
        struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
        return syscall(SYS_nanosleep, &ts, 0) == 0 ? 0 : 1; // glibc's nanosleep() makes clock_nanosleep
    }
    if (argc > 1 && strcmp(argv[1], "openat") == 0) {
        int fd = syscall(SYS_openat, AT_FDCWD, "/tmp/bpftrace_runtime_test_syscall_gen_open_temp", O_CREAT, 0644);
        if (fd >= 0) close(fd);
        unlink("/tmp/bpftrace_runtime_test_syscall_gen_open_temp");
        return fd >= 0 ? 0 : 1;
    }
    if (argc > 2 && strcmp(argv[1], "execve") == 0) {
        execv(argv[2], argv + 2);
        perror(argv[2]);
        return 1;
    }
    fputs("usage: syscall nanosleep NS | openat | execve PATH [ARGS]\n", stderr);
    return 2;
}
