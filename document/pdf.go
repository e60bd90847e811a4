package document

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// Page geometry and type, in millimetres and points. A4 with margins wide
// enough for a punch and a binder.
const (
	pageMarginLeft   = 20.0
	pageMarginRight  = 20.0
	pageMarginTop    = 18.0
	pageMarginBottom = 22.0 // the footer sits in this margin
	footerOffset     = 14.0 // footer line, from the foot of the page

	sizeBody    = 10.5
	sizeSmall   = 9.0
	sizeHeading = 12.5
	sizeTitle   = 17.0
	lineFactor  = 1.45 // line height as a multiple of the font size

	cellPadX        = 1.6
	maxUnbrokenCell = 30.0 // a body cell this wide or less is not wrapped, if the table allows
	cellPadY        = 1.2
	ptToMM          = 25.4 / 72
)

// Colours, as in the HTML style sheet.
var (
	colourInk    = [3]int{0x1b, 0x1b, 0x1f}
	colourMuted  = [3]int{0x55, 0x55, 0x55}
	colourAccent = [3]int{0x0b, 0x5c, 0xad}
	colourLine   = [3]int{0xcc, 0xcc, 0xdd}
	colourSoft   = [3]int{0xf3, 0xf5, 0xf9}
)

// RenderPDF writes d as an A4 PDF with the Liberation Sans font embedded.
// The output depends on d alone: its creation date is the document's date,
// so rendering the same document twice gives the same bytes. Text the font
// cannot show is refused before anything is written (see CheckPDF).
func RenderPDF(w io.Writer, d *Doc) error {
	if err := CheckPDF(d); err != nil {
		return err
	}
	d = d.mapText(norm.NFC.String)
	// The first pass counts the pages, so that the second can number them
	// "1 of N" in text measured with the real N.
	first, err := layoutPDF(d, 0)
	if err != nil {
		return err
	}
	pdf, err := layoutPDF(d, first.PageNo())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("render document pdf: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("render document pdf: %w", err)
	}
	return nil
}

// pdfWriter lays out a Doc on fpdf pages.
type pdfWriter struct {
	*fpdf.Fpdf
	doc   *Doc
	width float64 // width between the margins
}

func layoutPDF(d *Doc, pages int) (*fpdf.Fpdf, error) {
	f := fpdf.New("P", "mm", "A4", "")
	// Reproducible output: fonts and resources in a fixed order, dates
	// from the document rather than the clock.
	f.SetCatalogSort(true)
	f.SetCreationDate(d.Date.Time)
	f.SetModificationDate(d.Date.Time)
	f.SetTitle(d.Title, true)
	f.SetSubject(d.Reference, true)
	f.SetAuthor(d.Issuer, true)
	f.SetCreator("Haven", true)
	f.SetLang(d.Lang)
	addFonts(f)
	f.SetMargins(pageMarginLeft, pageMarginTop, pageMarginRight)
	f.SetAutoPageBreak(true, pageMarginBottom)
	f.SetCellMargin(0)
	pw, _ := f.GetPageSize()
	p := &pdfWriter{Fpdf: f, doc: d, width: pw - pageMarginLeft - pageMarginRight}
	f.SetFooterFunc(func() { p.footer(pages) })

	f.AddPage()
	p.head()
	for _, s := range d.Sections {
		p.section(s)
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("render document pdf: %w", err)
	}
	return f, nil
}

func (p *pdfWriter) font(style string, size float64, colour [3]int) {
	p.SetFont(fontFamily, style, size)
	p.SetTextColor(colour[0], colour[1], colour[2])
}

// lineHeight is the height of a line of the current font, in mm.
func (p *pdfWriter) lineHeight() float64 {
	pt, _ := p.GetFontSize()
	return pt * ptToMM * lineFactor
}

// room tells whether h mm still fit on the page.
func (p *pdfWriter) room(h float64) bool {
	_, ph := p.GetPageSize()
	return p.GetY()+h <= ph-pageMarginBottom
}

// keep starts a new page unless h mm fit on this one.
func (p *pdfWriter) keep(h float64) {
	if !p.room(h) {
		p.AddPage()
	}
}

// text writes wrapped text in the current font at x, w wide, and moves
// below it, breaking pages between lines.
func (p *pdfWriter) text(x, w float64, s string) {
	lh := p.lineHeight()
	for _, line := range p.lines(s, w) {
		p.keep(lh)
		p.SetX(x)
		p.CellFormat(w, lh, line, "", 1, "L", false, 0, "")
	}
}

// lines splits s into lines at most w wide in the current font.
func (p *pdfWriter) lines(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if strings.TrimSpace(para) == "" {
			out = append(out, "")
			continue
		}
		out = append(out, p.SplitText(para, w)...)
	}
	return out
}

func (p *pdfWriter) rule(y float64, colour [3]int, width float64) {
	p.SetDrawColor(colour[0], colour[1], colour[2])
	p.SetLineWidth(width)
	p.Line(pageMarginLeft, y, pageMarginLeft+p.width, y)
}

func (p *pdfWriter) head() {
	d := p.doc
	if d.Issuer != "" {
		p.font("B", sizeBody, colourMuted)
		p.text(pageMarginLeft, p.width, d.Issuer)
		p.Ln(1.5)
	}
	p.font("B", sizeTitle, colourAccent)
	p.text(pageMarginLeft, p.width, d.Title)
	if d.Subtitle != "" {
		p.Ln(1)
		p.font("", sizeSmall, colourMuted)
		p.text(pageMarginLeft, p.width, d.Subtitle)
	}
	p.Ln(3)
	p.fields(d.Meta, p.width)
	p.Ln(2)
	p.rule(p.GetY(), colourAccent, 0.6)
	p.Ln(2)
}

func (p *pdfWriter) section(s Section) {
	if s.Heading != "" {
		p.font("B", sizeHeading, colourAccent)
		lh := p.lineHeight()
		headingHeight := lh*float64(len(p.lines(s.Heading, p.width))) + 3
		p.Ln(4)
		p.keep(headingHeight + p.leadHeight(s.Blocks))
		p.font("B", sizeHeading, colourAccent)
		p.text(pageMarginLeft, p.width, s.Heading)
		p.rule(p.GetY()+0.3, colourLine, 0.25)
		p.Ln(2)
	}
	for i, b := range s.Blocks {
		switch b := b.(type) {
		case Paragraph:
			// A paragraph that introduces a quotation stays with it.
			if i+1 < len(s.Blocks) {
				if q, ok := s.Blocks[i+1].(Quote); ok {
					p.keep(p.paragraphHeight(b) + p.quoteHeight(q))
				}
			}
			p.paragraph(b)
		case Quote:
			p.quote(b)
		case DefinitionList:
			p.fields(b.Items, p.width)
			p.Ln(1.5)
		case Table:
			p.table(b)
		case Signature:
			p.signature(b)
		}
	}
}

// leadHeight is how much of a section's blocks must follow its heading on
// the same page: a paragraph with the quotation it introduces, or a whole
// quotation, when that fits on a page; else three lines.
func (p *pdfWriter) leadHeight(blocks []Block) float64 {
	_, ph := p.GetPageSize()
	page := ph - pageMarginTop - pageMarginBottom - 20
	h := 0.0
	if len(blocks) > 0 {
		switch b := blocks[0].(type) {
		case Paragraph:
			if len(blocks) > 1 {
				if q, ok := blocks[1].(Quote); ok {
					h = p.paragraphHeight(b) + p.quoteHeight(q)
				}
			}
		case Quote:
			h = p.quoteHeight(b)
		}
	}
	if h == 0 || h > page {
		h = 3 * sizeBody * ptToMM * lineFactor
	}
	return h
}

func (p *pdfWriter) paragraphFont(b Paragraph) {
	if b.Note {
		p.font("", sizeSmall, colourMuted)
	} else {
		p.font("", sizeBody, colourInk)
	}
}

func (p *pdfWriter) paragraphHeight(b Paragraph) float64 {
	p.paragraphFont(b)
	return p.lineHeight()*float64(len(p.lines(b.Text, p.width))) + 1.8
}

func (p *pdfWriter) paragraph(b Paragraph) {
	p.paragraphFont(b)
	p.text(pageMarginLeft, p.width, b.Text)
	p.Ln(1.8)
}

const quoteIndent = 4.5

func (p *pdfWriter) quoteHeight(b Quote) float64 {
	w := p.width - quoteIndent
	p.font("I", sizeBody, colourInk)
	h := p.lineHeight() * float64(len(p.lines(b.Text, w)))
	if b.Source != "" {
		p.font("", sizeSmall, colourMuted)
		h += 1 + p.lineHeight()*float64(len(p.lines(b.Source, w)))
	}
	return h
}

func (p *pdfWriter) quote(b Quote) {
	x, w := pageMarginLeft+quoteIndent, p.width-quoteIndent
	p.Ln(0.5)
	// Keep a quotation on one page when it fits on one.
	p.keep(p.quoteHeight(b))
	top, page := p.GetY(), p.PageNo()
	p.font("I", sizeBody, colourInk)
	p.text(x, w, b.Text)
	if b.Source != "" {
		p.Ln(1)
		p.font("", sizeSmall, colourMuted)
		p.text(x, w, b.Source)
	}
	// The bar beside the quotation, on its last page if it is longer than
	// a page.
	if p.PageNo() != page {
		top = pageMarginTop
	}
	p.SetDrawColor(colourLine[0], colourLine[1], colourLine[2])
	p.SetLineWidth(0.9)
	p.Line(pageMarginLeft+0.5, top, pageMarginLeft+0.5, p.GetY())
	p.Ln(2.5)
}

// fields writes labels in bold in one column and values beside them, in
// width mm.
func (p *pdfWriter) fields(items []Field, width float64) {
	if len(items) == 0 {
		return
	}
	p.font("B", sizeBody, colourInk)
	labelW := 0.0
	for _, it := range items {
		labelW = math.Max(labelW, p.GetStringWidth(it.Label))
	}
	labelW = math.Min(labelW+6, width*0.4)
	valueW := width - labelW
	for _, it := range items {
		p.font("B", sizeBody, colourInk)
		lh := p.lineHeight()
		labels := p.lines(it.Label, labelW-3)
		p.font("", sizeBody, colourInk)
		values := p.lines(it.Value, valueW)
		h := lh * float64(max(len(labels), len(values), 1))
		p.keep(h)
		y := p.GetY()
		p.font("B", sizeBody, colourInk)
		p.text(pageMarginLeft, labelW-3, it.Label)
		p.SetY(y)
		p.font("", sizeBody, colourInk)
		p.text(pageMarginLeft+labelW, valueW, it.Value)
		p.SetY(y + h + 0.6)
	}
}

func (p *pdfWriter) table(t Table) {
	if t.Caption != "" {
		p.font("", sizeSmall, colourMuted)
		p.keep(4 * p.lineHeight())
		p.text(pageMarginLeft, p.width, t.Caption)
		p.Ln(0.8)
	}
	widths := p.columnWidths(t)
	p.tableRow(t.Header, widths, true)
	for _, row := range t.Rows {
		p.font("", sizeSmall+0.5, colourInk)
		if !p.room(p.rowHeight(row, widths)) {
			p.AddPage()
			p.tableRow(t.Header, widths, true)
		}
		p.tableRow(row, widths, false)
	}
	p.Ln(2.5)
}

func (p *pdfWriter) rowHeight(cells []string, widths []float64) float64 {
	n := 1
	for i, c := range cells {
		if i < len(widths) {
			n = max(n, len(p.lines(c, widths[i]-2*cellPadX)))
		}
	}
	return float64(n)*p.lineHeight() + 2*cellPadY
}

// tableRow writes one row, which must fit on a page: the validation limits
// of the documents' texts see to it.
func (p *pdfWriter) tableRow(cells []string, widths []float64, header bool) {
	if header {
		p.font("B", sizeSmall+0.5, colourInk)
	} else {
		p.font("", sizeSmall+0.5, colourInk)
	}
	h := p.rowHeight(cells, widths)
	p.keep(h)
	y := p.GetY()
	if header {
		p.SetFillColor(colourSoft[0], colourSoft[1], colourSoft[2])
		p.Rect(pageMarginLeft, y, p.width, h, "F")
	}
	x := pageMarginLeft
	for i, c := range cells {
		if i >= len(widths) {
			break
		}
		p.SetY(y + cellPadY)
		p.text(x+cellPadX, widths[i]-2*cellPadX, c)
		x += widths[i]
	}
	if header {
		p.rule(y+h, colourInk, 0.35)
	} else {
		p.rule(y+h, colourLine, 0.25)
	}
	p.SetY(y + h)
}

// columnWidths shares the width between the columns: each gets at least its
// longest word, or its longest short cell (a date, a number) whole, and, of
// what is left, a share in proportion to how much more its longest cell
// needs.
func (p *pdfWriter) columnWidths(t Table) []float64 {
	n := len(t.Header)
	natural, least := make([]float64, n), make([]float64, n)
	measure := func(i int, s string) {
		whole := p.GetStringWidth(s) + 2*cellPadX + 0.5
		natural[i] = math.Max(natural[i], whole)
		if whole <= maxUnbrokenCell {
			least[i] = math.Max(least[i], whole)
		}
		for _, word := range strings.Fields(s) {
			least[i] = math.Max(least[i], p.GetStringWidth(word)+2*cellPadX+0.5)
		}
	}
	p.font("B", sizeSmall+0.5, colourInk)
	for i, h := range t.Header {
		measure(i, h)
	}
	p.font("", sizeSmall+0.5, colourInk)
	for _, row := range t.Rows {
		for i, c := range row {
			if i < n {
				measure(i, c)
			}
		}
	}
	sum := func(xs []float64) (s float64) {
		for _, x := range xs {
			s += x
		}
		return s
	}
	widths := make([]float64, n)
	switch {
	case sum(natural) <= p.width:
		// Everything fits on one line: widen every column alike.
		for i := range widths {
			widths[i] = natural[i] * p.width / sum(natural)
		}
	case sum(least) >= p.width:
		// Even the longest words do not fit: they will break.
		for i := range widths {
			widths[i] = least[i] * p.width / sum(least)
		}
	default:
		spare, want := p.width-sum(least), sum(natural)-sum(least)
		for i := range widths {
			widths[i] = least[i] + (natural[i]-least[i])*spare/want
		}
	}
	return widths
}

func (p *pdfWriter) signature(s Signature) {
	p.font("", sizeBody, colourInk)
	lh := p.lineHeight()
	const space, w = 18.0, 90.0
	p.Ln(6)
	p.keep(space + 2 + lh*float64(len(s.Lines)+1))
	p.SetY(p.GetY() + space)
	y := p.GetY()
	p.SetDrawColor(colourInk[0], colourInk[1], colourInk[2])
	p.SetLineWidth(0.3)
	p.Line(pageMarginLeft, y, pageMarginLeft+w, y)
	p.Ln(1)
	p.font("", sizeSmall, colourMuted)
	p.text(pageMarginLeft, w, s.Label)
	p.Ln(1.5)
	p.fields(s.Lines, w+30)
	p.Ln(4)
}

func (p *pdfWriter) footer(pages int) {
	_, ph := p.GetPageSize()
	y := ph - footerOffset
	p.rule(y, colourLine, 0.25)
	p.font("", sizeSmall-0.5, colourMuted)
	lh := p.lineHeight()
	total := "?"
	if pages > 0 {
		total = strconv.Itoa(pages)
	}
	pageOf := strings.NewReplacer("{page}", strconv.Itoa(p.PageNo()), "{pages}", total).Replace(p.doc.Footer.PageOf)
	pw := p.GetStringWidth(pageOf) + 1
	p.SetXY(pageMarginLeft, y+1.2)
	p.CellFormat(p.width-pw-4, lh, p.fit(p.doc.Footer.Text, p.width-pw-4), "", 0, "L", false, 0, "")
	p.SetXY(pageMarginLeft+p.width-pw, y+1.2)
	p.CellFormat(pw, lh, pageOf, "", 0, "R", false, 0, "")
}

// fit shortens s with an ellipsis to fit in w, for the one-line footer.
func (p *pdfWriter) fit(s string, w float64) string {
	if p.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && p.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
