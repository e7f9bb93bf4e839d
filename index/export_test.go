package index

// VectorsFromSnapshot reports whether ix's live generation loaded its
// vectors from the snapshot file (its write sequence was current) rather
// than from the stored documents.
func VectorsFromSnapshot(ix *Index) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.vec.saved != 0 && ix.vec.saved == ix.vec.seq
}
