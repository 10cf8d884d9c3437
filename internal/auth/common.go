package auth

import (
	_ "embed"
	"strings"
)

// commonPasswords are passwords of twelve characters or more that top the
// public breach lists, plus Dutch favourites, one a line.
//
//go:embed common_passwords.txt
var commonPasswords string

// Policy decides which passwords staff may choose.
type Policy struct {
	common map[string]bool
}

// NewPolicy returns the password policy with the embedded list of common
// passwords.
func NewPolicy() *Policy {
	p := &Policy{common: map[string]bool{}}
	for _, w := range strings.Fields(commonPasswords) {
		p.common[strings.ToLower(w)] = true
	}
	return p
}
