package index

// VectorsFromSnapshot reports whether ix's live generation loaded its
// vectors from the snapshot file (its write sequence was current) rather
// than from the stored documents.
func VectorsFromSnapshot(ix *Index) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.vec.saved != 0 && ix.vec.saved == ix.vec.seq
}

// SetHooks sets ix's test hooks (see hooks): writing is called by Add and
// Delete before they write, rebuildWaits by BeginRebuild when writes in
// flight hold it back. Call it before ix is used from other goroutines.
func SetHooks(ix *Index, writing, rebuildWaits func()) {
	ix.hooks = hooks{writing: writing, rebuildWaits: rebuildWaits}
}
