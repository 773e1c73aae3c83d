/* Prints the linux/vhost.h ioctl numbers and struct sizes that io.jstrato.linux.VhostIoctls writes down. */
#include <stdio.h>
#include <linux/vhost.h>
#define N(x) printf("%s %ld\n", #x, (long)(x))
int main(void) {
    N(VHOST_GET_FEATURES); N(VHOST_SET_FEATURES); N(VHOST_SET_OWNER); N(VHOST_SET_MEM_TABLE);
    N(VHOST_SET_VRING_NUM); N(VHOST_SET_VRING_ADDR); N(VHOST_SET_VRING_BASE);
    N(VHOST_SET_VRING_KICK); N(VHOST_SET_VRING_CALL);
    N(VHOST_VSOCK_SET_GUEST_CID); N(VHOST_VSOCK_SET_RUNNING);
    printf("MEMORY_HEADER %zu\n", sizeof(struct vhost_memory));
    printf("MEMORY_REGION %zu\n", sizeof(struct vhost_memory_region));
    printf("VRING_STATE %zu\n", sizeof(struct vhost_vring_state));
    printf("VRING_ADDR %zu\n", sizeof(struct vhost_vring_addr));
    return 0;
}
