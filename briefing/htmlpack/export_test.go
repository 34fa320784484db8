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
// "release", "md") is kept, as cached keys it: a full rendering the
// release edition's when the text renders the same in both.
func RenderingKept(kind, text string) bool {
	if kind == "full" && sharesRelease(text) {
		kind = "release"
	}
	_, ok := cache.Get(renderKey(kind, text))
	return ok
}

// RenderingsKept is how many renderings of paragraphs are kept.
func RenderingsKept() int { return cache.Len() }

// GzKept says whether a sheet's section is kept compressed under key.
func GzKept(key string) bool {
	_, ok := gzParts.Get(key)
	return ok
}
