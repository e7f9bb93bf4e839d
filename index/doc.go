// Package index owns the on-disk Bleve index of newsdex: the mapping, the
// writer and open/close. It sits between chunk and search in the pipeline.
//
// One Bleve document is one article. Its text fields (title, body) carry the
// whole article, so boolean operators hold per article and every count is a
// count of articles. The article itself, with its passages and entities, is
// stored once as JSON in the stored-only field "_src"; snippets are cut from
// its passages at query time (see package search).
//
// # What it promises
//
//   - The fields of the entity kinds (facet, filter and query fields) and
//     the vector store's filter labels come from newsdex.Kinds, so that a
//     filter means the same in Bleve and in the vector store.
//   - Writes go to the live generation and, during a rebuild, to the new
//     one too (Rebuild); Commit switches generations only after Verify.
//   - Every error names the operation and the index directory or article
//     id; ErrNotFound, ErrBusy are sentinels for errors.Is.
package index
