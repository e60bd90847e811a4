package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/stats"
)

// node is a parsed SVG element.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []node     `xml:",any"`
}

func (n *node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n *node) walk(f func(*node)) {
	f(n)
	for i := range n.Nodes {
		n.Nodes[i].walk(f)
	}
}

// parse checks that svg is well-formed XML with an svg root.
func parse(t *testing.T, svg []byte) *node {
	t.Helper()
	var root node
	if err := xml.Unmarshal(svg, &root); err != nil {
		t.Fatalf("the SVG does not parse as XML: %v", err)
	}
	if root.XMLName.Local != "svg" {
		t.Fatalf("root element %q, want svg", root.XMLName.Local)
	}
	return &root
}

// drawing counts what a chart holds: paths filled with a bar colour,
// texts reading the suppressed mark, and every element name.
type drawing struct {
	bars, marks, hatches int
	elements             map[string]int
	texts                []string
}

func inspect(root *node) drawing {
	d := drawing{elements: map[string]int{}}
	palette := map[string]bool{}
	for _, c := range Palette {
		palette[fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)] = true
	}
	hatch := fmt.Sprintf("#%02x%02x%02x", hatchColor.R, hatchColor.G, hatchColor.B)
	root.walk(func(n *node) {
		d.elements[n.XMLName.Local]++
		switch n.XMLName.Local {
		case "path":
			if palette[strings.ToLower(n.attr("fill"))] {
				d.bars++
			}
			if strings.ToLower(n.attr("stroke")) == hatch {
				d.hatches++
			}
		case "text":
			d.texts = append(d.texts, n.Text)
			if n.Text == SuppressedMark {
				d.marks++
			}
		}
	})
	return d
}

func oneDimension() *stats.Result {
	return &stats.Result{Dimensions: []string{stats.DimUNODC}, K: 11, Cells: []stats.Cell{
		{Labels: []string{"girls"}, Count: 14},
		{Labels: []string{"boys"}, Suppressed: true},
		{Labels: []string{"women"}, Count: 52},
		{Labels: []string{"men"}, Count: 0},
		{Labels: []string{"other_or_unknown"}, Suppressed: true},
		{Labels: []string{stats.Total}, Count: 80},
	}}
}

func opts() Options {
	return Options{ID: "chart-1", Title: "Detected victims by UNODC category", DescribedBy: "table-1",
		ValueAxis: "Detected victims", SuppressedLegend: "C: suppressed"}
}

func TestOneDimension(t *testing.T) {
	svg, err := SVG(oneDimension(), opts())
	if err != nil {
		t.Fatal(err)
	}
	root := parse(t, svg)
	d := inspect(root)
	// Three published cells (a published zero is a bar of height zero),
	// no bar for the two suppressed ones nor for the total.
	if d.bars != 3 {
		t.Errorf("%d bars, want 3 (one per published cell)", d.bars)
	}
	if d.marks != 2 {
		t.Errorf("%d suppressed marks, want 2", d.marks)
	}
	if d.hatches != 3 { // two places and the legend's thumbnail
		t.Errorf("%d hatched paths, want 3", d.hatches)
	}
	if !strings.Contains(strings.Join(d.texts, "|"), "C: suppressed") {
		t.Errorf("the legend does not explain the mark: %q", d.texts)
	}
	for _, want := range []string{"14", "52", "0"} {
		if !contains(d.texts, want) {
			t.Errorf("no label %q on the bars: %q", want, d.texts)
		}
	}
	if contains(d.texts, "80") {
		t.Error("the total is drawn")
	}
	if root.attr("role") != "img" || root.attr("aria-labelledby") != "chart-1-title" || root.attr("aria-describedby") != "table-1" {
		t.Errorf("root attributes %v", root.Attrs)
	}
	if len(root.Nodes) == 0 || root.Nodes[0].XMLName.Local != "title" || root.Nodes[0].attr("id") != "chart-1-title" ||
		root.Nodes[0].Text != "Detected victims by UNODC category" {
		t.Errorf("the SVG does not start with its title: %+v", root.Nodes[:1])
	}
	if root.attr("viewBox") == "" {
		t.Error("no viewBox")
	}
}

func TestTwoDimensions(t *testing.T) {
	r := &stats.Result{Dimensions: []string{stats.DimSex, stats.DimAgeGroup}, Cells: []stats.Cell{
		{Labels: []string{"female", "child"}, Count: 20},
		{Labels: []string{"female", "adult"}, Count: 31},
		{Labels: []string{"female", "unknown"}, Suppressed: true},
		{Labels: []string{"female", stats.Total}, Count: 55},
		{Labels: []string{"male", "child"}, Suppressed: true},
		{Labels: []string{"male", "adult"}, Count: 12},
		{Labels: []string{"male", "unknown"}, Suppressed: true},
		{Labels: []string{"male", stats.Total}, Count: 19},
		{Labels: []string{stats.Total, "child"}, Count: 25},
		{Labels: []string{stats.Total, stats.Total}, Count: 74},
	}}
	svg, err := SVG(r, opts())
	if err != nil {
		t.Fatal(err)
	}
	d := inspect(parse(t, svg))
	// Three published inner cells, plus one legend swatch per category of
	// the second dimension.
	if d.bars != 3+3 {
		t.Errorf("%d filled paths, want 3 bars and 3 legend swatches", d.bars)
	}
	if d.marks != 3 {
		t.Errorf("%d suppressed marks, want 3", d.marks)
	}
	bars, marks, err := Drawn(r)
	if err != nil || bars != 3 || marks != 3 {
		t.Errorf("Drawn = %d, %d, %v; want 3, 3", bars, marks, err)
	}
	for _, want := range []string{"sex", "age_group", "child", "adult", "female", "male"} {
		if !contains(d.texts, want) {
			t.Errorf("no text %q: %q", want, d.texts)
		}
	}
}

// A table of three dimensions is drawn by its first two, at the total of
// the third.
func TestMoreDimensionsDrawTheMargins(t *testing.T) {
	r := &stats.Result{Dimensions: []string{stats.DimSex, stats.DimAgeGroup, stats.DimFormGroup}, Cells: []stats.Cell{
		{Labels: []string{"female", "adult", "forced_labour"}, Count: 13},
		{Labels: []string{"female", "adult", "sexual_exploitation"}, Suppressed: true},
		{Labels: []string{"female", "adult", stats.Total}, Count: 40},
		{Labels: []string{"female", "child", stats.Total}, Suppressed: true},
		{Labels: []string{"male", "adult", stats.Total}, Count: 22},
		{Labels: []string{"male", "child", stats.Total}, Count: 0},
		{Labels: []string{stats.Total, "adult", stats.Total}, Count: 62},
	}}
	bars, marks, err := Drawn(r)
	if err != nil || bars != 3 || marks != 1 {
		t.Fatalf("Drawn = %d, %d, %v; want 3 bars (female adult, male adult, male child) and 1 mark", bars, marks, err)
	}
	svg, err := SVG(r, opts())
	if err != nil {
		t.Fatal(err)
	}
	d := inspect(parse(t, svg))
	if contains(d.texts, "13") || !contains(d.texts, "40") {
		t.Errorf("the chart does not draw the margin over form_group: %q", d.texts)
	}
}

func TestEscapesLabels(t *testing.T) {
	evil := `<script>alert("x")</script> & <img src=x onerror=alert(1)>`
	r := &stats.Result{Dimensions: []string{stats.DimLocation, stats.DimSex}, Cells: []stats.Cell{
		{Labels: []string{evil, evil}, Count: 30},
		{Labels: []string{evil, "female"}, Suppressed: true},
	}}
	o := opts()
	o.Title = evil
	o.ValueAxis = evil
	o.Category = func(_, c string) string { return c }
	o.Dimension = func(string) string { return evil }
	svg, err := SVG(r, o)
	if err != nil {
		t.Fatal(err)
	}
	lower := bytes.ToLower(svg)
	for _, bad := range []string{"<script", "<img", "<!--", "<?xml", "<style", " style=", "javascript:"} {
		if bytes.Contains(lower, []byte(bad)) {
			t.Errorf("the SVG holds %q", bad)
		}
	}
	root := parse(t, svg)
	d := inspect(root)
	if d.elements["script"] != 0 || d.elements["img"] != 0 {
		t.Errorf("elements %v", d.elements)
	}
	root.walk(func(n *node) {
		for _, a := range n.Attrs {
			if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
				t.Errorf("<%s> has the attribute %s", n.XMLName.Local, a.Name.Local)
			}
		}
	})
	if !contains(d.texts, evil) {
		t.Errorf("the label does not read back as text: %q", d.texts)
	}
	if !bytes.Contains(svg, []byte("&amp;")) {
		t.Error("& is not escaped")
	}
}

func TestSanitizeDropsActiveContent(t *testing.T) {
	in := `<?xml version="1.0"?><!-- c --><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)" viewBox="0 0 10 10">` +
		`<script>alert(2)</script><g onclick="x()"><path d="M0,0L1,1" style="fill:url(http://evil/x);stroke:#000;stroke-width:2"/>` +
		`<a xlink:href="javascript:alert(3)"><text>link</text></a><foreignObject><div>html</div></foreignObject>` +
		`<text x="1" style="font-size:10px">ok &amp; fine</text><image href="http://evil/x.png"/></g></svg>`
	out, err := sanitize([]byte(in), rootAttrs{id: "c", title: "T"})
	if err != nil {
		t.Fatal(err)
	}
	want := `<svg xmlns="http://www.w3.org/2000/svg" role="img" focusable="false" aria-labelledby="c-title" id="c" viewBox="0 0 10 10"><title id="c-title">T</title>` +
		`<g><path d="M0,0L1,1" stroke="#000" stroke-width="2"></path><text x="1" font-size="10px">ok &amp; fine</text></g></svg>`
	if string(out) != want {
		t.Errorf("sanitize:\n got %s\nwant %s", out, want)
	}
	if _, err := sanitize([]byte(`<html><svg/></html>`), rootAttrs{id: "c"}); err == nil {
		t.Error("a document whose root is not svg was accepted")
	}
	if _, err := sanitize([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><g>`), rootAttrs{id: "c"}); err == nil {
		t.Error("a cut document was accepted")
	}
}

func TestNoChart(t *testing.T) {
	withheld := oneDimension()
	withheld.Withheld = true
	for _, c := range withheld.Cells {
		c.Suppressed = true
	}
	if _, err := SVG(withheld, opts()); !errors.Is(err, ErrWithheld) {
		t.Errorf("withheld: %v, want ErrWithheld", err)
	}
	if _, err := SVG(&stats.Result{Dimensions: []string{stats.DimNationality}}, opts()); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v, want ErrEmpty", err)
	}
	o := opts()
	o.ID = `x" onload="y`
	if _, err := SVG(oneDimension(), o); err == nil {
		t.Error("an id with a quote was accepted")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
