// Not a program: the BTF of an imaginary other kernel, whose task_struct lays its fields out differently, lacks
// in_execve and has a 64-bit unsigned 'flags'. CO-RE relocations of core.bpf.c are resolved against it to show
// the same object adapting to another kernel. Built standalone (no vmlinux.h).
typedef int pid_t;

struct sched_entity {
    unsigned long long sum_exec_runtime;
    unsigned long long pad[3];
    unsigned long long vruntime;
};

struct task_struct {
    unsigned long long state;
    unsigned long long flags;
    struct sched_entity se;
    char comm[32];
    pid_t pid;
    pid_t tgid;
};

enum bpf_map_type {
    BPF_MAP_TYPE_UNSPEC = 0,
    BPF_MAP_TYPE_RINGBUF = 99,
};

struct task_struct other_task;
enum bpf_map_type other_type;
