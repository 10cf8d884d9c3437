package auth

import (
	"strings"
	"unicode"
)

// commonStem returns lower without the digits and symbols at its end
// ("sunshine2024!" → "sunshine"), for the common-password check.
func commonStem(lower string) string {
	return strings.TrimRightFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
}

// repetitive reports whether the password is one short unit repeated
// ("aaaaaaaaaaaa", "abcabcabcabc", "bloemkoolbloemkool") or is made of
// fewer than five different characters.
func repetitive(lower string) bool {
	rs := []rune(lower)
	distinct := map[rune]bool{}
	for _, r := range rs {
		distinct[r] = true
	}
	if len(distinct) < 5 {
		return true
	}
	for k := 1; k <= len(rs)/2; k++ {
		if len(rs)%k != 0 {
			continue
		}
		periodic := true
		for i := k; i < len(rs) && periodic; i++ {
			periodic = rs[i] == rs[i-k]
		}
		if periodic {
			return true
		}
	}
	return false
}

// sequenceRows are the orders people type passwords in: the number row,
// the alphabet and the keyboard's letter rows, each read round (so
// "…7890123" is one run).
var sequenceRows = []string{"1234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm"}

// sequence reports whether the whole password runs along one of the rows,
// forwards or backwards: "123456789012", "zyxwvutsrqpo".
func sequence(lower string) bool {
	rs := []rune(lower)
	for _, row := range sequenceRows {
		for _, step := range []int{1, -1} {
			if runsAlong([]rune(row), rs, step) {
				return true
			}
		}
	}
	return false
}

func runsAlong(row, rs []rune, step int) bool {
	pos := func(r rune) int {
		for i, c := range row {
			if c == r {
				return i
			}
		}
		return -1
	}
	prev := pos(rs[0])
	if prev < 0 {
		return false
	}
	for _, r := range rs[1:] {
		i := pos(r)
		if i < 0 || i != (prev+step+len(row))%len(row) {
			return false
		}
		prev = i
	}
	return true
}

// emailWords returns the local part of the address and its pieces between
// dots, dashes, underscores and plus signs, each of four characters or
// more: "els.jansen@x" → "els.jansen", "jansen".
func emailWords(email string) []string {
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	words := []string{}
	if len([]rune(local)) >= 4 {
		words = append(words, local)
	}
	for _, w := range strings.FieldsFunc(local, func(r rune) bool { return strings.ContainsRune("._-+", r) }) {
		if len([]rune(w)) >= 4 && w != local {
			words = append(words, w)
		}
	}
	return words
}

// letters keeps only the letters and digits of s, in lower case.
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// derivedFromName reports whether the password is built on the practice's
// name: it holds the whole name (spaces and punctuation aside), or a word
// of the name of four letters or more with fewer than eight characters
// beside it ("Kindertherapie1!"). A long phrase that happens to hold one
// word of the name is not refused.
func derivedFromName(lower, name string) bool {
	squeezed, all := letters(lower), letters(name)
	if len([]rune(all)) >= 4 && strings.Contains(squeezed, all) {
		return true
	}
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		w = strings.ToLower(w)
		if len([]rune(w)) < 4 || !strings.Contains(lower, w) {
			continue
		}
		if rest := strings.ReplaceAll(lower, w, ""); len([]rune(rest)) < 8 {
			return true
		}
	}
	return false
}
