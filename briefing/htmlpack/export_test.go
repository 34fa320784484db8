package htmlpack

// ClearCache empties the rendered-paragraph cache, for benchmarks that
// measure a pack whose paragraphs were never rendered.
func ClearCache() {
	cache.Clear()
	parts.Clear()
}

// PartKey is partKey, for tests.
var PartKey = partKey

// FullText is fullText, for tests.
var FullText = fullText

// Kept says whether a sheet's section is kept under key.
func Kept(key string) bool {
	_, ok := parts.Get(key)
	return ok
}

// RenderingKept says whether the rendering of a text of a kind ("full",
// "release", "md") is kept, as cached keys it.
func RenderingKept(kind, text string) bool {
	_, ok := cache.Get(renderKey(kind, text))
	return ok
}

// GzKept says whether a sheet's section is kept compressed under key.
func GzKept(key string) bool {
	_, ok := gzParts.Get(key)
	return ok
}
