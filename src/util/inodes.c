/* inodes.c: the first record of each socket inode in a sorted array, through one open-addressing table. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "inodes.h"

/* The inode of record I. */
static uint64_t inode_at(const struct inode_index *ix, size_t i)
{
	uint64_t inode;

	memcpy(&inode, ix->base + i * ix->size + ix->offset, sizeof(inode));
	return inode;
}

/* Inodes are near-sequential numbers: a multiply spreads them over the table (Fibonacci hashing). */
static size_t slot_of(const struct inode_index *ix, uint64_t inode)
{
	return (size_t)((inode * 0x9e3779b97f4a7c15ull) >> 32) & ix->mask;
}

bool inode_index_build(struct inode_index *ix, const void *base, size_t n, size_t size,
		       size_t offset)
{
	size_t room = 16;

	free(ix->slots);
	*ix = (struct inode_index){ .base = base, .n = n, .size = size, .offset = offset };
	while (room < 2 * n) /* at most half full: probes stay short */
		room *= 2;
	if (!(ix->slots = calloc(room, sizeof(*ix->slots))))
		return false;
	ix->mask = room - 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t inode = inode_at(ix, i);
		size_t h;

		if (!inode || (i > 0 && inode_at(ix, i - 1) == inode))
			continue; /* only the first of each inode */
		for (h = slot_of(ix, inode); ix->slots[h].inode; h = (h + 1) & ix->mask)
			;
		ix->slots[h] = (struct inode_slot){ inode, i };
	}
	return true;
}

long inode_index_first(const struct inode_index *ix, uint64_t inode)
{
	size_t lo = 0, hi = ix->n;

	if (!inode || !ix->n)
		return -1;
	if (ix->slots) {
		for (size_t h = slot_of(ix, inode); ix->slots[h].inode; h = (h + 1) & ix->mask)
			if (ix->slots[h].inode == inode)
				return (long)ix->slots[h].first;
		return -1;
	}
	while (lo < hi) { /* no table: the first record whose inode is not below INODE */
		size_t mid = lo + (hi - lo) / 2;

		if (inode_at(ix, mid) < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && inode_at(ix, lo) == inode ? (long)lo : -1;
}

void inode_index_free(struct inode_index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}
