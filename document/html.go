package document

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"unicode/utf8"
)

// shortCell is the longest table cell, in characters, that HTML keeps on
// one line.
const shortCell = 18

var (
	//go:embed document.html
	htmlSource string
	//go:embed document.css
	styleSheet string

	htmlTemplate = template.Must(template.New("document").Funcs(template.FuncMap{
		// The style sheet is the package's own, constant text.
		"css":  func() template.CSS { return template.CSS(styleSheet) },
		"kind": blockKind,
		// A short cell, such as a date or a number, is not wrapped.
		"short": func(s string) bool { return utf8.RuneCountInString(s) <= shortCell },
	}).Parse(htmlSource))
)

// StyleHash is the Content-Security-Policy source that allows the one
// inline style sheet of RenderHTML's pages, such as
// "'sha256-…'". The sheet is inline so a saved page prints the same without
// Haven; a server with a strict policy adds this source to style-src for
// the document's response.
var StyleHash = func() string {
	sum := sha256.Sum256([]byte(styleSheet))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// RenderHTML writes d as one self-contained HTML page that prints on A4:
// lang and dir from the document's language, headings, lists and tables
// marked up for screen readers, and page numbers in the margin where the
// browser prints them.
// Nothing is written if rendering fails.
func RenderHTML(w io.Writer, d *Doc) error {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, d); err != nil {
		return fmt.Errorf("render document html: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("render document html: %w", err)
	}
	return nil
}

// blockKind names a block's type for the template, which cannot switch on
// types.
func blockKind(b Block) (string, error) {
	switch b.(type) {
	case Paragraph:
		return "paragraph", nil
	case Quote:
		return "quote", nil
	case DefinitionList:
		return "list", nil
	case Table:
		return "table", nil
	case Signature:
		return "signature", nil
	}
	return "", fmt.Errorf("unknown block %T", b)
}
