package newsdex

import "embed"

// Seeds holds the sample articles of seeds/, the index built when no other
// data is given. It is read-only.
//
//go:embed seeds/*.txt
var Seeds embed.FS
