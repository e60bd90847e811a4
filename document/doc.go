// Package document produces Haven's printable documents. A builder such as
// NonPunishmentDoc turns domain data and the message catalogue into a Doc, a
// small language-neutral document model (title, metadata lines, sections of
// paragraphs, quotations, definition lists, tables and signature blocks, a
// footer with the reference and page numbers); RenderHTML and RenderPDF
// print it. Builders hold the wording, renderers the layout, so a new document
// (the national rapporteur's report) adds a builder and the same renderers
// print it.
//
// Documents hold personal data: they are built for one request, written to
// the caller's writer and forgotten. Nothing in this package stores or logs
// them, and its errors never quote a field's value.
package document

import "github.com/haven-nrm/haven"

// Doc is a printable document, already in its language: every string in it
// is final text, so the renderers never look anything up.
type Doc struct {
	Lang string // base language of the wording, for lang attributes
	Dir  string // "ltr" or "rtl"

	Issuer    string     // organisation named above the title
	Title     string     // the document's title
	Subtitle  string     // a line under the title, optional
	Reference string     // document reference, printed on every page
	Date      haven.Date // date of issue; also the PDF's creation date, so renders are reproducible

	Meta     []Field // lines under the title: reference, date of issue…
	Sections []Section
	Footer   Footer
}

// Field is a label and its value, in the metadata lines or a definition
// list. Key names the field for machines (a data-field attribute in HTML).
type Field struct {
	Key   string
	Label string
	Value string
}

// Section is a heading and what follows it. ID is a stable, language-neutral
// name, used as the heading's anchor.
type Section struct {
	ID      string
	Heading string
	Blocks  []Block
}

// Footer is printed at the foot of every page of the PDF and at the end of
// the HTML.
type Footer struct {
	Text string // such as the reference and a confidentiality mark
	// PageOf numbers a page: "{page}" and "{pages}" are replaced by the
	// page's number and the number of pages ("Page {page} of {pages}").
	PageOf string
}

// Block is one element of a section: Paragraph, Quote, DefinitionList,
// Table or Signature.
type Block interface{ block() }

// Paragraph is running text. A Note is printed smaller, as for a
// confidentiality or verification line.
type Paragraph struct {
	Text string
	Note bool
}

// Quote is a quotation from a legal text, with where it comes from.
type Quote struct {
	Text   string
	Source string
}

// DefinitionList is a list of labelled values, such as a person's name and
// date of birth.
type DefinitionList struct {
	Items []Field
}

// Table is a table of text. Key names it for machines; Caption describes it
// for screen readers and above the table; each row has as many cells as the
// header. When RowHeaders is set, the first cell of each row labels the row.
type Table struct {
	Key        string
	Caption    string
	Header     []string
	Rows       [][]string
	RowHeaders bool
}

// Signature is a place to sign: a line over Label ("Signature"), then the
// signatory's name, role and date.
type Signature struct {
	Label string
	Lines []Field
}

func (Paragraph) block()      {}
func (Quote) block()          {}
func (DefinitionList) block() {}
func (Table) block()          {}
func (Signature) block()      {}

// mapText returns a copy of d with every text, Key and ID aside, replaced
// by fn's result. The renderers use it to prepare text, and to check it.
func (d *Doc) mapText(fn func(string) string) *Doc {
	fields := func(fs []Field) []Field {
		out := make([]Field, len(fs))
		for i, f := range fs {
			out[i] = Field{Key: f.Key, Label: fn(f.Label), Value: fn(f.Value)}
		}
		return out
	}
	texts := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = fn(s)
		}
		return out
	}
	c := *d
	c.Issuer, c.Title, c.Subtitle, c.Reference = fn(d.Issuer), fn(d.Title), fn(d.Subtitle), fn(d.Reference)
	c.Meta = fields(d.Meta)
	c.Footer = Footer{Text: fn(d.Footer.Text), PageOf: fn(d.Footer.PageOf)}
	c.Sections = make([]Section, len(d.Sections))
	for i, s := range d.Sections {
		ns := Section{ID: s.ID, Heading: fn(s.Heading), Blocks: make([]Block, len(s.Blocks))}
		for j, b := range s.Blocks {
			switch b := b.(type) {
			case Paragraph:
				ns.Blocks[j] = Paragraph{Text: fn(b.Text), Note: b.Note}
			case Quote:
				ns.Blocks[j] = Quote{Text: fn(b.Text), Source: fn(b.Source)}
			case DefinitionList:
				ns.Blocks[j] = DefinitionList{Items: fields(b.Items)}
			case Table:
				t := b
				t.Caption, t.Header = fn(b.Caption), texts(b.Header)
				t.Rows = make([][]string, len(b.Rows))
				for k, r := range b.Rows {
					t.Rows[k] = texts(r)
				}
				ns.Blocks[j] = t
			case Signature:
				ns.Blocks[j] = Signature{Label: fn(b.Label), Lines: fields(b.Lines)}
			default:
				ns.Blocks[j] = b
			}
		}
		c.Sections[i] = ns
	}
	return &c
}
