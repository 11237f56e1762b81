/* memleak's test program: a known leak from named functions, and as many blocks freed again.
 * Waits for a line on stdin (the tool attaches meanwhile), allocates, prints "done", then waits for stdin to
 * close; with an argument N it starts at once and exits after N seconds instead (memleak -c). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define LEAKED 40
#define LEAK_SIZE 4000
#define CALLOCED 25
#define ALIGNED 15
#define FREED 60

static void *keep[LEAKED + CALLOCED + ALIGNED];

__attribute__((noinline)) void leak_blocks(void) {
    for (int i = 0; i < LEAKED; i++) keep[i] = malloc(LEAK_SIZE);
}

__attribute__((noinline)) void leak_zeroed(void) {
    for (int i = 0; i < CALLOCED; i++) keep[LEAKED + i] = calloc(16, 96);   /* 1536 bytes each */
}

__attribute__((noinline)) void leak_aligned(void) {
    for (int i = 0; i < ALIGNED; i++)
        if (posix_memalign(&keep[LEAKED + CALLOCED + i], 64, 640) != 0) abort();
}

__attribute__((noinline)) void churn_freed(void) {
    for (int i = 0; i < FREED; i++) {
        void *p = malloc(3000);
        void *q = realloc(p, 3500);
        free(q);
    }
}

int main(int argc, char **argv) {
    char line[16];
    if (argc < 2 && !fgets(line, sizeof line, stdin)) return 1;
    leak_blocks();
    leak_zeroed();
    leak_aligned();
    churn_freed();
    printf("done\n");
    fflush(stdout);
    if (argc >= 2) sleep(atoi(argv[1]));
    else while (fgets(line, sizeof line, stdin)) { }
    return keep[0] == NULL;
}
