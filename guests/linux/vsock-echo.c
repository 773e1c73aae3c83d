/*
 * A guest-side vsock peer for the Linux tests (busybox has no AF_VSOCK). Built static by the test (gcc
 * -static), so it needs nothing of the initramfs but the kernel's vsock modules.
 *   vsock-echo listen PORT READY-FILE: listens on PORT, creates READY-FILE once it does (so a script knows when
 *     the host may connect), accepts one connection, reads one line, answers "guest got LINE", prints LINE.
 *   vsock-echo connect CID PORT LINE: connects to CID:PORT (2 is the host), sends LINE, prints the line it
 *     gets back.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* One line from fd, without its end; stops at EOF. */
static void read_line(int fd, char *line, size_t size) {
    size_t n = 0;
    while (n < size - 1) {
        ssize_t r = read(fd, line + n, 1);
        if (r < 0) die("read");
        if (r == 0 || line[n] == '\n') break;
        n++;
    }
    line[n] = 0;
}

static void write_line(int fd, const char *prefix, const char *line) {
    char out[300];
    int len = snprintf(out, sizeof out, "%s%s\n", prefix, line);
    if (write(fd, out, len) != len) die("write");
}

int main(int argc, char **argv) {
    char line[256];
    if (argc == 4 && strcmp(argv[1], "listen") == 0) {
        int s = socket(AF_VSOCK, SOCK_STREAM, 0);
        if (s < 0) die("socket(AF_VSOCK)");
        struct sockaddr_vm addr = {.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = atoi(argv[2])};
        if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
        if (listen(s, 1) < 0) die("listen");
        int ready = open(argv[3], O_CREAT | O_WRONLY, 0644);
        if (ready < 0) die(argv[3]);
        close(ready);
        int c = accept(s, NULL, NULL);
        if (c < 0) die("accept");
        read_line(c, line, sizeof line);
        write_line(c, "guest got ", line);
        close(c);
        printf("%s\n", line);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "connect") == 0) {
        int s = socket(AF_VSOCK, SOCK_STREAM, 0);
        if (s < 0) die("socket(AF_VSOCK)");
        struct sockaddr_vm addr = {.svm_family = AF_VSOCK, .svm_cid = atoi(argv[2]), .svm_port = atoi(argv[3])};
        if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
        write_line(s, "", argv[4]);
        read_line(s, line, sizeof line);
        printf("%s\n", line);
        return 0;
    }
    fprintf(stderr, "usage: vsock-echo listen PORT READY-FILE | connect CID PORT LINE\n");
    return 2;
}
