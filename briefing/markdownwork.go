package briefing

import (
	"fmt"
	"strings"
)

// MaxMarkdownWork bounds how much reading a paragraph's Markdown (or a
// biography's, or a round's purpose, key messages or outcomes) asks of
// the packs' Markdown reader (blackfriday, with htmlpack's extensions), in
// bytes read as markdownWork counts them. The reader reads again, to the
// end of the text, for each mark it finds open and nothing closes: twenty
// thousand "[" took it half a second a render, and a paragraph is
// rendered at each save and in each pack, for both editions. At the bound
// a paragraph renders in a few milliseconds; prose, even a paragraph as
// long as a cell holds with a few marks left open, reads a small part of it.
const MaxMarkdownWork = 1_000_000

// Kinds of marks the reader may read again to the end of a text for,
// each costing, and named to the writer, as markdownWork counts them.
const (
	markBracket   = iota // "[" (and "![") that may open a link
	markAddress          // a link's address, "](", and its title
	markCode             // "`" that may open code
	markAngle            // "<" that may open an address or tag
	markComment          // "<!--"
	markEntity           // "&" that may begin a character reference
	markFence            // a line of "```" or "~~~" that may open a code block
	markBlockTag         // a line beginning with an HTML block tag
	markBackslash        // "\" read over and over in a link's brackets
	numMarks
)

// MarkdownTooSlow says why a Markdown text the packs lay out (a
// paragraph's, a biography) asks more than MaxMarkdownWork of their
// Markdown reader, or "" when it does not:
// the marks that ask most, and what to change. The text is read as either
// edition reads it: the release with the grounds in place of the withheld
// words, the full edition with a link whose address holds a span as its
// words; either may close fewer brackets than the text as typed.
func (s Settings) MarkdownTooSlow(text string) string {
	w := markdownWork(text)
	if strings.Contains(text, "{{") {
		if red, _, err := s.Redact(text); err == nil {
			w = w.most(markdownWork(red))
		}
		if u := s.UnlinkWithheld(text); u != text {
			w = w.most(markdownWork(u))
		}
	}
	if w.total <= MaxMarkdownWork {
		return ""
	}
	return w.why()
}

// checkMarkdown refuses field, a Markdown text the packs lay out (a
// paragraph's, a biography, a round's purpose), when it asks more than
// MaxMarkdownWork of their reader: its message is place (a format, with
// args; "" for none) and why. A text its writer left as it was, was, is
// kept: it may be stored from before the limit. One refused already (too
// long, say) is not measured. It reports whether field is refused.
func (s Settings) checkMarkdown(fe fieldErrors, field, text, was, place string, args ...any) bool {
	if _, refused := fe[field]; refused {
		return true
	}
	if unchangedText(text, was) {
		return false
	}
	why := s.MarkdownTooSlow(text)
	if why == "" {
		return false
	}
	if place != "" {
		why = fmt.Sprintf(place, args...) + " " + why
	}
	fe.add(field, "%s", why)
	return true
}

// unchangedText reports whether text is was as a save keeps it: cleaned
// (CleanText), and with "\r\n" line ends read as "\n", as every body and
// form is read — so that a text stored before either is the writer's own
// unchanged.
func unchangedText(text, was string) bool {
	if text == was {
		return true
	}
	was = CleanText(was)
	return text == was || text == strings.ReplaceAll(was, "\r\n", "\n")
}

// markWork is what markdownWork finds a text asks of the reader.
type markWork struct {
	total int           // bytes read, estimated from above
	cost  [numMarks]int // of which, for each kind of mark
	open  [numMarks]int // marks of each kind that nothing closes
	depth int           // the deepest "[" within other brackets
	run   int           // the longest run of "\"
}

// most is whichever of w and o asks more.
func (w markWork) most(o markWork) markWork {
	if o.total > w.total {
		return o
	}
	return w
}

// markdownWork estimates, from above and in time linear in its length,
// how many bytes the packs' Markdown reader reads to lay out a text: each
// byte once, and for each mark that sets it looking ahead for its end (a
// link's "]" and ")", code's closing "`", an address's ">", a comment's
// "-->", a code block's closing line, an HTML block's closing tag) the
// bytes it looks through. Each look is counted as the reader makes it
// (brackets nest, a backslash escapes, a link's address skips escaped
// characters), and to its full length where the end of a block (an empty
// line, a list item) would cut it short; the looks into a link's brackets
// that emphasis ("*", "_", "~") makes are counted once for each such mark
// the text holds. What the reader does once for each line or block (a
// list, a table: a few milliseconds at a paragraph's length) is not
// counted beyond the bytes themselves: it does not grow faster than the text.
func markdownWork(t string) markWork {
	n := len(t)
	w := markWork{total: n}
	if !strings.ContainsAny(t, "[<&`~") {
		return w // no mark that looks ahead further than its own few bytes
	}
	ints := make([]int32, 9*(n+2))
	next := func(k int) []int32 { return ints[k*(n+2) : (k+1)*(n+2)] }
	var (
		bs     = next(0) // backslashes just before each byte
		dest   = next(1) // where a link's address that starts here ends: ")", "'" or "\"", escapes skipped
		title  = next(2) // where a link's title that starts here ends: ")", escapes skipped
		auto   = next(3) // where an address after "<scheme:" ends: ">", a quote or a space, escapes skipped
		nextRB = next(4) // the next "]"
		nextRP = next(5) // the next ")"
		nextGT = next(6) // the next ">"
		endCmt = next(7) // the next "-->", at its ">"
		emTail = next(8) // at a "]", how far emphasis looks past it into "(…)" or "[…]"
	)
	for i := 1; i <= n; i++ {
		if t[i-1] == '\\' {
			bs[i] = bs[i-1] + 1
			w.run = max(w.run, int(bs[i]))
		}
	}
	// bsSum[i] is the sum of bs before i: the bytes isBackslashEscaped
	// reads, looking back from each byte of a link's brackets.
	bsSum := make([]int, n+2)
	for i := 0; i <= n; i++ {
		bsSum[i+1] = bsSum[i] + int(bs[i])
	}
	escaped := func(i int) bool { return bs[i]%2 == 1 }
	skip2 := func(a []int32, i int) int32 {
		if i+2 >= n {
			return int32(n)
		}
		return a[i+2]
	}
	for _, a := range [][]int32{dest, title, auto, nextRB, nextRP, nextGT, endCmt} {
		a[n], a[n+1] = int32(n), int32(n)
	}
	for i := n - 1; i >= 0; i-- {
		c := t[i]
		nextRB[i], nextRP[i], nextGT[i], endCmt[i] = nextRB[i+1], nextRP[i+1], nextGT[i+1], endCmt[i+1]
		switch c {
		case ']':
			nextRB[i] = int32(i)
			emTail[i] = int32(emphasisTail(t, i, nextRB, nextRP))
		case ')':
			nextRP[i] = int32(i)
		case '>':
			nextGT[i] = int32(i)
			if i >= 2 && t[i-1] == '-' && t[i-2] == '-' {
				endCmt[i] = int32(i)
			}
		}
		switch {
		case c == '\\':
			dest[i], title[i], auto[i] = skip2(dest, i), skip2(title, i), skip2(auto, i)
		default:
			dest[i], title[i], auto[i] = dest[i+1], title[i+1], auto[i+1]
			if c == ')' || c == '\'' || c == '"' {
				dest[i] = int32(i)
			}
			if c == ')' {
				title[i] = int32(i)
			}
			if c == '>' || c == '\'' || c == '"' || isMarkSpace(c) {
				auto[i] = int32(i)
			}
		}
	}
	add := func(kind, bytes int) {
		w.cost[kind] += bytes
		w.total += bytes
	}
	// Emphasis looks into a link's brackets, to their first "]", once for
	// each of its marks the text holds.
	emphasisKinds := 0
	for _, c := range "*_~" {
		if strings.ContainsRune(t, c) {
			emphasisKinds++
		}
	}
	// A "]" after a "[": the address or reference after it, which the
	// link the "[" may open reads.
	type closing struct {
		at   int
		tail int  // bytes read after it for an address or reference
		open bool // to the end of the text, unclosed
		ref  bool // no address after it: the bracketed words are looked up as a reference's name
	}
	var closers []closing
	tailAfter := func(k int) (tail int, open, ref bool) {
		s := k + 1
		for s < n && isMarkSpace(t[s]) {
			s++
		}
		switch {
		case s >= n:
		case t[s] == '(':
			m := s + 1
			for m < n && isMarkSpace(t[m]) {
				m++
			}
			d := int(dest[m])
			if d < n && (t[d] == '\'' || t[d] == '"') {
				d = int(title[d+1])
			}
			return max(d-k, int(emTail[k])), d >= n, false
		case t[s] == '[':
			return int(emTail[k]), int(nextRB[s+1]) >= n, true
		}
		return 0, false, true
	}
	depth := 0
	for i := n - 1; i >= 0; i-- {
		switch {
		case t[i] == ']' && !escaped(i):
			tail, open, ref := tailAfter(i)
			closers = append(closers, closing{i, tail, open, ref})
		case t[i] == '[' && !escaped(i):
			times := 1
			if i > 0 && t[i-1] == '!' {
				times = 2 // "![" is read as an image, then as a link
			}
			end := n
			if k := len(closers); k > 0 {
				depth = max(depth, k)
				c := closers[k-1]
				closers = closers[:k-1]
				end = c.at
				add(markAddress, times*c.tail)
				if c.ref {
					add(markBracket, times*(end-i)) // copied, and hashed to look it up
				}
				if c.open {
					w.open[markAddress]++
				}
			} else {
				w.open[markBracket]++
			}
			add(markBracket, times*(end-i))
			add(markBackslash, times*(bsSum[min(end+1, n+1)]-bsSum[i+1]))
			if emphasisKinds > 0 {
				r := int(nextRB[i+1])
				look := r - i
				if r < n {
					look += int(emTail[r])
				}
				add(markBracket, emphasisKinds*look)
			}
		}
	}
	w.depth = depth
	w.addCode(t, escaped, add)
	for i := 0; i < n; i++ {
		if t[i] == '<' && !escaped(i) {
			w.addAngle(t, i, auto, nextGT, endCmt, add)
		}
	}
	w.addEntities(t, add)
	w.addBlocks(t, add)
	return w
}

// addCode counts what code's backticks ask: from each "`" of a run that
// is not escaped, the reader looks past the run for as many "`" in a row
// as are left in it, to the end of the text if none are there.
func (w *markWork) addCode(t string, escaped func(int) bool, add func(kind, bytes int)) {
	n := len(t)
	type run struct{ at, len int }
	var runs []run
	for i := 0; i < n; {
		if t[i] != '`' {
			i++
			continue
		}
		j := i
		for j < n && t[j] == '`' {
			j++
		}
		runs = append(runs, run{i, j - i})
		i = j
	}
	// after holds the runs after the one at hand that a look may stop at,
	// nearest last, each longer than every one nearer.
	var after []run
	for k := len(runs) - 1; k >= 0; k-- {
		r := runs[k]
		end := r.at + r.len
		openers := r.len
		if escaped(r.at) {
			openers-- // "\`" is a backtick, not code
		}
		done := 0 // openers looking for fewer "`" than this are counted
		for x := len(after) - 1; x >= 0 && done < openers; x-- {
			e := after[x]
			upto := min(e.len, openers)
			for nb := done + 1; nb <= upto; nb++ {
				add(markCode, e.at-end+nb)
			}
			done = max(done, upto)
		}
		if done < openers {
			w.open[markCode] += openers - done
			add(markCode, (openers-done)*(n-end))
		}
		for len(after) > 0 && after[len(after)-1].len <= r.len {
			after = after[:len(after)-1]
		}
		after = append(after, r)
	}
}

// addAngle counts what a "<" at i asks: a tag's name or an address's
// scheme, an e-mail address, an address after "<scheme:" to its ">", a
// space or a quote, a tag to its ">" (a fast search, counted at a
// sixteenth) and a comment, "<!--", to its "-->".
func (w *markWork) addAngle(t string, i int, auto, nextGT, endCmt []int32, add func(kind, bytes int)) {
	n := len(t)
	p := i + 1
	if p < n && t[p] == '/' {
		p++
	}
	if p < n && isMarkAlnum(t[p]) {
		q := p
		for q < n && (isMarkAlnum(t[q]) || t[q] == '.' || t[q] == '+' || t[q] == '-') {
			q++
		}
		add(markAngle, q-i)
		end := q
		if q < n && t[q] == '@' {
			r := q
			for r < n && (isMarkAlnum(t[r]) || t[r] == '@' || t[r] == '-' || t[r] == '.' || t[r] == '_') {
				r++
			}
			add(markAngle, r-q)
		}
		if q-i > 2 && q < n && t[q] == ':' {
			a := int(auto[q+1])
			add(markAngle, a-q)
			end = a
		}
		g := int(nextGT[end])
		add(markAngle, (g-end)/16)
		if g >= n {
			w.open[markAngle]++
		}
	}
	if strings.HasPrefix(t[i:], "<!--") && i+5 <= n {
		e := int(endCmt[i+5])
		add(markComment, e-i)
		if e >= n {
			w.open[markComment]++
		}
	}
}

// addEntities counts what the HTML renderer asks of each "&": a look
// through the letters, digits, "&" and "#" after it for the ";" that ends
// a character reference.
func (w *markWork) addEntities(t string, add func(kind, bytes int)) {
	n := len(t)
	in := func(c byte) bool { return isMarkAlnum(c) || c == '&' || c == '#' }
	for i := 0; i < n; {
		if !in(t[i]) {
			i++
			continue
		}
		j := i
		for j < n && in(t[j]) {
			j++
		}
		for k := i; k < j; k++ {
			if t[k] == '&' {
				add(markEntity, j-k)
				if j-k > 32 { // longer than any reference's name
					w.open[markEntity]++
				}
			}
		}
		i = j
	}
}

// blockTags are the HTML tags that begin a block (blackfriday's list): a
// line beginning with one sets the reader looking through the rest of the
// text for its closing tag.
var blockTags = map[string]bool{"blockquote": true, "del": true, "div": true, "dl": true, "fieldset": true, "form": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "iframe": true, "ins": true, "math": true,
	"noscript": true, "ol": true, "pre": true, "p": true, "script": true, "style": true, "table": true, "ul": true,
	"address": true, "article": true, "aside": true, "canvas": true, "figcaption": true, "figure": true, "footer": true,
	"header": true, "hgroup": true, "main": true, "nav": true, "output": true, "progress": true, "section": true, "video": true}

// addBlocks counts what lines that may begin a block ask: a line of
// "```" or "~~~" that may open a code block reads the lines after it, up
// to one of the same marks alone (each line costing some forty bytes'
// reading besides its own); a line beginning with an HTML block tag reads
// the rest of the text for its closing tag (each "</" costing some
// thirty), and one beginning "<!--" for its "-->". A line may begin a
// block after a list item's mark or a quotation's ">", so those are
// passed over first. Within a quotation the reader looks for a code
// block at every byte of its lines, not only at their start, and again
// at each level of quotation within quotation: when the text holds one,
// every run of three or more "`" or "~" is counted as many times over.
func (w *markWork) addBlocks(t string, add func(kind, bytes int)) {
	const perLine, perEndTag, maxNesting = 40, 30, 16
	n := len(t)
	var starts []int
	quotes := 0 // the deepest quotation, in ">" at a line's start
	for line := 0; line < n; {
		starts = append(starts, line)
		q := 0
		for p := line; p < n && strings.IndexByte(lineMarks, t[p]) >= 0; p++ {
			if t[p] == '>' {
				q++
			}
		}
		quotes = min(max(quotes, q), maxNesting)
		nl := strings.IndexByte(t[line:], '\n')
		if nl < 0 {
			break
		}
		line += nl + 1
	}
	endTags := 0               // "</" after the line at hand
	closes := map[string]int{} // the first line after the one at hand that closes a code block of these marks
	fence := func(k, p int, marks string, times int) {
		closed, ok := closes[marks]
		if !ok {
			closed = len(starts)
		}
		upto := n
		if closed < len(starts) {
			upto = starts[closed]
		}
		add(markFence, times*(upto-p+perLine*(closed-k)))
	}
	for k := len(starts) - 1; k >= 0; k-- {
		line, end := starts[k], n
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		p := line
		for p < end && strings.IndexByte(lineMarks, t[p]) >= 0 {
			p++
		}
		if quotes > 0 {
			// Every run of three or more, from each of its bytes and from
			// up to three spaces before it.
			for r := line; r < end; {
				if t[r] != '`' && t[r] != '~' {
					r++
					continue
				}
				q := r
				for q < end && t[q] == t[r] {
					q++
				}
				for j := r; j+3 <= q; j++ {
					fence(k, j, t[j:q], quotes)
				}
				if q-r >= 3 {
					w.open[markFence]++
					spaces := 0
					for spaces < 3 && r-spaces-1 >= line && t[r-spaces-1] == ' ' {
						spaces++
					}
					fence(k, r, t[r:q], quotes*spaces)
				}
				r = q
			}
		}
		switch {
		case p >= end:
		case (t[p] == '`' || t[p] == '~') && quotes == 0:
			q := p
			for q < end && t[q] == t[p] {
				q++
			}
			if q-p >= 3 {
				w.open[markFence]++
				fence(k, p, t[p:q], 1)
			}
		case t[p] == '<':
			q := p + 1
			for q < end && isMarkAlnum(t[q]) {
				q++
			}
			if blockTags[t[p+1:q]] {
				add(markBlockTag, n-p+perEndTag*endTags)
				w.open[markBlockTag]++
			} else if strings.HasPrefix(t[p:], "<!--") {
				add(markComment, n-p)
			}
		}
		// A line of the marks alone, after up to three spaces, closes a
		// code block they opened.
		q := line
		for q < end && q-line < 3 && t[q] == ' ' {
			q++
		}
		if r := strings.TrimRight(t[q:end], "\n"); len(r) >= 3 && strings.Trim(r, r[:1]) == "" && (r[0] == '`' || r[0] == '~') {
			closes[r] = k
		}
		endTags += strings.Count(t[line:end], "</")
	}
}

// lineMarks are what may come before a block at a line's start: spaces,
// a quotation's ">", a list item's mark or number, a definition's ":".
const lineMarks = " \t>-*+.):0123456789"

// emphasisTail is how far emphasis, looking past a link's "]" at k for
// its own closing mark, reads into the "(…)" or "[…]" after it.
func emphasisTail(t string, k int, nextRB, nextRP []int32) int {
	n := len(t)
	s := k + 1
	for s < n && (t[s] == ' ' || t[s] == '\n') {
		s++
	}
	switch {
	case s >= n:
	case t[s] == '(':
		return int(nextRP[s+1]) - k
	case t[s] == '[':
		return int(nextRB[s+1]) - k
	}
	return 0
}

// isMarkSpace is a space as the Markdown reader reads one.
func isMarkSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isMarkAlnum is a letter or digit as the Markdown reader reads one: ASCII.
func isMarkAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// why says, for a text markdownWork found asks too much, what asks most
// and what to change: the marks the writer can find and close or take out.
func (w markWork) why() string {
	worst := 0
	for k := range w.cost {
		if w.cost[k] > w.cost[worst] {
			worst = k
		}
	}
	n := withCommas(max(w.open[worst], 1))
	const quick = "too many for a pack to lay out quickly"
	switch worst {
	case markBracket:
		if w.open[worst] == 0 {
			return fmt.Sprintf(`holds brackets inside brackets %s deep, too deep for a pack to lay out quickly: take out the brackets around brackets`, withCommas(w.depth))
		}
		return fmt.Sprintf(`holds %s "[" that no "]" closes, %s: close each with "]", or take it out`, n, quick)
	case markAddress:
		return fmt.Sprintf(`holds %s links whose address, after "](", no ")" ends, %s: end each address with ")"`, n, quick)
	case markCode:
		return fmt.Sprintf("holds %s \"`\" that no matching \"`\" closes, %s: close each, or take it out", n, quick)
	case markAngle:
		return fmt.Sprintf(`holds %s "<" that no ">" ends, %s: end each with ">", or take it out`, n, quick)
	case markComment:
		return fmt.Sprintf(`holds %s "<!--" that no "-->" ends, %s: end each with "-->", or take it out`, n, quick)
	case markEntity:
		return fmt.Sprintf(`holds %s "&" among letters and digits with no ";" after them, %s: put a space after each "&"`, n, quick)
	case markFence:
		return fmt.Sprintf("holds %s \"```\" or \"~~~\" that may open a block of code, %s: close each block of code with a line of the same marks alone, or take them out", n, quick)
	case markBlockTag:
		return fmt.Sprintf(`holds %s lines beginning with an HTML tag such as "<div>", %s: take the tags out, or put a "\" before each "<"`, n, quick)
	default:
		return fmt.Sprintf(`holds a run of %s "\" between brackets, too long for a pack to lay out quickly: take most of them out`, withCommas(w.run))
	}
}

// withCommas writes a number with its thousands set off, as the messages do.
func withCommas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
