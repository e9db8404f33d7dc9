/* inodes.h: where a socket inode first appears in an array sorted by inode, found in constant time. */
#ifndef SOCKOPT_INODES_H
#define SOCKOPT_INODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An index over N records of SIZE bytes at BASE, sorted by the 64-bit
 * inode at OFFSET in each: one open-addressing slot per distinct inode.
 * Without its table (out of memory) a lookup is a binary search instead.
 */
struct inode_index {
	const unsigned char *base;
	size_t n, size, offset;
	struct inode_slot {
		uint64_t inode; /* 0: an empty slot (no socket has inode 0) */
		size_t first;
	} *slots;
	size_t mask;
};

/*
 * Index the N sorted records at BASE (IX zeroed the first time; again
 * after the records changed); false when the table could not be made.
 */
bool inode_index_build(struct inode_index *ix, const void *base, size_t n, size_t size,
		       size_t offset);
/* The position of the first record of INODE, or -1 when there is none. */
long inode_index_first(const struct inode_index *ix, uint64_t inode);
void inode_index_free(struct inode_index *ix);

#endif /* SOCKOPT_INODES_H */
