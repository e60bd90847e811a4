package document

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansitalic"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"

	"github.com/haven-nrm/haven"
)

// The PDF embeds Liberation Sans (SIL Open Font License 1.1), a subset of
// the letters each document uses. It has the Latin, Greek and Cyrillic
// scripts in full, Vietnamese included; it has no Arabic, no Indic scripts
// and no Chinese, Japanese or Korean, and fpdf neither shapes letters nor
// orders right-to-left text. CheckPDF refuses such text rather than print
// empty boxes or reversed words in a document meant for a court; the HTML
// version, which the browser shapes with the computer's fonts, prints it.
const fontFamily = "sans"

var pdfFonts = []struct {
	style string
	ttf   []byte
}{
	{"", liberationsansregular.TTF},
	{"B", liberationsansbold.TTF},
	{"I", liberationsansitalic.TTF},
}

func addFonts(f *fpdf.Fpdf) {
	for _, font := range pdfFonts {
		f.AddUTF8FontFromBytes(fontFamily, font.style, font.ttf)
	}
}

// parsedFonts reads the fonts' character maps once, to check text against.
var parsedFonts = sync.OnceValues(func() ([]*sfnt.Font, error) {
	var out []*sfnt.Font
	for _, font := range pdfFonts {
		f, err := sfnt.Parse(font.ttf)
		if err != nil {
			return nil, fmt.Errorf("parse pdf font: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
})

// CheckPDF tells whether RenderPDF can print every letter of d. It returns
// an EINVALID *haven.Error naming the scripts it cannot print (never the
// text) when d is right-to-left or has letters the font lacks; the HTML
// version prints those.
func CheckPDF(d *Doc) error {
	fonts, err := parsedFonts()
	if err != nil {
		return err
	}
	if d.Dir == "rtl" {
		return unsupportedScripts([]string{"right-to-left"})
	}
	var buf sfnt.Buffer
	scripts := map[string]bool{}
	d.mapText(func(s string) string {
		for _, r := range norm.NFC.String(s) {
			if unicode.IsControl(r) {
				continue
			}
			if p, _ := bidi.LookupRune(r); p.Class() == bidi.R || p.Class() == bidi.AL {
				scripts[scriptOf(r)] = true
				continue
			}
			for _, f := range fonts {
				if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
					scripts[scriptOf(r)] = true
					break
				}
			}
		}
		return s
	})
	if len(scripts) > 0 {
		return unsupportedScripts(slices.Sorted(maps.Keys(scripts)))
	}
	return nil
}

func unsupportedScripts(scripts []string) error {
	return &haven.Error{
		Code: haven.EINVALID,
		Message: fmt.Sprintf("The PDF cannot show text in %s script. Open the HTML version and print it from the browser instead.",
			strings.ReplaceAll(strings.Join(scripts, ", "), "_", " ")),
	}
}

var scriptNames = slices.Sorted(maps.Keys(unicode.Scripts))

// scriptOf names the Unicode script of r, such as "Arabic" or "Han".
func scriptOf(r rune) string {
	for _, name := range scriptNames {
		if name != "Common" && name != "Inherited" && unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	return "symbol"
}
