package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"regexp"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/haven-nrm/haven/stats"
)

// ErrWithheld is returned for a withheld table: none of its numbers may
// be published, so it has no chart.
var ErrWithheld = errors.New("chart: the table is withheld")

// ErrEmpty is returned for a table with no category to draw (no victim in
// the period on an open dimension).
var ErrEmpty = errors.New("chart: the table has no cells to draw")

// SuppressedMark is the label drawn where a suppressed cell would stand:
// the confidentiality code of the CSV and SDMX outputs.
const SuppressedMark = stats.Suppressed

// Options say how to label a chart. Every text is plain text: the chart
// escapes it.
type Options struct {
	// ID is unique in the page and made of letters, digits, '-' and '_';
	// the SVG's <title> gets the id ID+"-title".
	ID string
	// Title is the chart's accessible name.
	Title string
	// DescribedBy is the id of the data table the page shows with the
	// chart, for aria-describedby; empty for none.
	DescribedBy string
	// Category returns the label of a category of a dimension; nil shows
	// the code.
	Category func(dimension, category string) string
	// Dimension returns the label of a dimension; nil shows its name.
	Dimension func(dimension string) string
	// ValueAxis names the vertical axis, such as "Detected victims".
	ValueAxis string
	// SuppressedLegend explains the mark in the legend, such as
	// "C: suppressed to protect the persons counted".
	SuppressedLegend string
}

var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// cell is one drawn place: a count, or a suppressed mark.
type cell struct {
	count      int64
	suppressed bool
	present    bool
}

// layout is what a chart shows of a table: the categories of its first
// dimension along the axis (groups), those of its second as the bars of
// each group (series; one unnamed series for a one-dimension table).
type layout struct {
	dims    []string
	groups  []string
	series  []string
	cells   [][]cell // [group][series]
	margins bool     // the table has more dimensions, drawn at their totals
}

// newLayout picks the cells a chart draws: no totals of the drawn
// dimensions, and the totals of every other dimension.
func newLayout(r *stats.Result) (*layout, error) {
	if r.Withheld {
		return nil, ErrWithheld
	}
	if len(r.Dimensions) == 0 {
		return nil, ErrEmpty
	}
	l := &layout{dims: r.Dimensions[:min(2, len(r.Dimensions))], margins: len(r.Dimensions) > 2}
	type key struct{ g, s string }
	found := map[key]cell{}
	for _, c := range r.Cells {
		if len(c.Labels) != len(r.Dimensions) {
			return nil, fmt.Errorf("chart: a cell has %d labels for %d dimensions", len(c.Labels), len(r.Dimensions))
		}
		drawn := true
		for j, lab := range c.Labels {
			if (j < len(l.dims)) == (lab == stats.Total) {
				drawn = false
			}
		}
		if !drawn {
			continue
		}
		k := key{g: c.Labels[0]}
		if !slices.Contains(l.groups, k.g) {
			l.groups = append(l.groups, k.g)
		}
		if len(l.dims) > 1 {
			k.s = c.Labels[1]
		}
		if !slices.Contains(l.series, k.s) {
			l.series = append(l.series, k.s)
		}
		found[k] = cell{count: c.Count, suppressed: c.Suppressed, present: true}
	}
	if len(l.groups) == 0 {
		return nil, ErrEmpty
	}
	l.cells = make([][]cell, len(l.groups))
	for i, g := range l.groups {
		l.cells[i] = make([]cell, len(l.series))
		for j, s := range l.series {
			l.cells[i][j] = found[key{g, s}]
		}
	}
	return l, nil
}

// counts returns how many published and suppressed cells the chart draws.
func (l *layout) counts() (published, suppressed int) {
	for _, row := range l.cells {
		for _, c := range row {
			switch {
			case !c.present:
			case c.suppressed:
				suppressed++
			default:
				published++
			}
		}
	}
	return published, suppressed
}

// max returns the largest published count.
func (l *layout) max() int64 {
	var m int64
	for _, row := range l.cells {
		for _, c := range row {
			if c.present && !c.suppressed && c.count > m {
				m = c.count
			}
		}
	}
	return m
}

// Drawn tells how many bars (published cells) and suppressed marks the
// chart of r holds; it fails like SVG for a table with no chart.
func Drawn(r *stats.Result) (bars, suppressed int, err error) {
	l, err := newLayout(r)
	if err != nil {
		return 0, 0, err
	}
	bars, suppressed = l.counts()
	return bars, suppressed, nil
}

// Palette holds the bar colours, in order of series: the Okabe–Ito
// colours, which stay distinct for the common forms of colour blindness.
var Palette = []color.RGBA{
	{0x00, 0x72, 0xb2, 0xff}, // blue
	{0xe6, 0x9f, 0x00, 0xff}, // orange
	{0x00, 0x9e, 0x73, 0xff}, // bluish green
	{0xcc, 0x79, 0xa7, 0xff}, // reddish purple
	{0x56, 0xb4, 0xe9, 0xff}, // sky blue
	{0xd5, 0x5e, 0x00, 0xff}, // vermilion
	{0x00, 0x00, 0x00, 0xff}, // black
	{0xf0, 0xe4, 0x42, 0xff}, // yellow
}

var (
	hatchColor = color.RGBA{0x9a, 0x9a, 0x9a, 0xff}
	axisColor  = color.RGBA{0x1b, 0x1b, 0x1f, 0xff}
	markColor  = color.RGBA{0x1b, 0x1b, 0x1f, 0xff}
	white      = color.RGBA{0xff, 0xff, 0xff, 0xff}
	sans       = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{Color: c, Font: font.From(sans, size), Handler: plot.DefaultTextHandler,
		XAlign: draw.XCenter, YAlign: draw.YBottom}
}

// SVG draws r as an SVG document ready to inline in HTML (see the package
// documentation for what is drawn and how it is made safe).
func SVG(r *stats.Result, o Options) ([]byte, error) {
	if !idPattern.MatchString(o.ID) {
		return nil, fmt.Errorf("chart: the id must be letters, digits, '-' or '_', starting with a letter")
	}
	if o.DescribedBy != "" && !idPattern.MatchString(o.DescribedBy) {
		return nil, fmt.Errorf("chart: the described-by id must be letters, digits, '-' or '_', starting with a letter")
	}
	l, err := newLayout(r)
	if err != nil {
		return nil, err
	}
	category := o.Category
	if category == nil {
		category = func(_, c string) string { return c }
	}
	dimension := o.Dimension
	if dimension == nil {
		dimension = func(d string) string { return d }
	}

	p := plot.New()
	p.BackgroundColor = white
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
	}
	p.X.Label.Text = dimension(l.dims[0])
	p.Y.Label.Text = o.ValueAxis
	names := make([]string, len(l.groups))
	for i, g := range l.groups {
		names[i] = category(l.dims[0], g)
	}
	p.NominalX(names...)
	p.Y.Tick.Marker = plot.TickerFunc(wholeTicks)

	nbars := len(l.groups) * len(l.series)
	// Room for each bar and for each category's name, within bounds.
	plotWidth := vg.Points(math.Min(1800, math.Max(480, 110+math.Max(22*float64(nbars), 90*float64(len(l.groups))))))
	height := vg.Points(320)
	// Long or many category names are turned so that they do not overlap.
	widest := vg.Length(0)
	for _, n := range names {
		widest = max(widest, p.X.Tick.Label.Width(n))
	}
	if widest > 0.9*(plotWidth-80)/vg.Length(len(names)) {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
		height += vg.Length(math.Min(float64(widest)*0.7, 160))
	}

	top := float64(l.max())
	top = math.Max(1, math.Ceil(top*1.12))
	b := &bars{l: l, top: top, label: textStyle(8, markColor), mark: textStyle(10, markColor)}
	p.Add(b)
	p.Y.Min, p.Y.Max = 0, top

	legend := plot.NewLegend()
	legend.TextStyle.Font = font.From(sans, 10)
	legend.Top, legend.Left = true, true
	legend.Padding = vg.Points(3)
	if len(l.dims) > 1 {
		for i, s := range l.series {
			legend.Add(category(l.dims[1], s), swatch{Palette[i%len(Palette)]})
		}
	}
	if _, suppressed := l.counts(); suppressed > 0 {
		legend.Add(o.SuppressedLegend, hatchThumb{})
	}

	var legendWidth vg.Length
	probe := draw.New(vgsvg.New(plotWidth, height))
	if r := legend.Rectangle(probe); r.Max.X > r.Min.X {
		// Browsers may show the text in a wider font than the one measured.
		legendWidth = (r.Max.X-r.Min.X)*1.2 + vg.Points(16)
	}
	canvas := vgsvg.New(plotWidth+legendWidth, height)
	dc := draw.New(canvas)
	pad := vg.Points(6)
	p.Draw(draw.Crop(dc, pad, -legendWidth-pad, pad, -pad))
	if legendWidth > 0 {
		legendArea := draw.Crop(dc, plotWidth+vg.Points(8), -pad, pad, -vg.Points(14))
		if len(l.dims) > 1 {
			// The legend's heading names the second dimension.
			head := textStyle(10, markColor)
			head.XAlign, head.YAlign = draw.XLeft, draw.YTop
			legendArea.FillText(head, vg.Point{X: legendArea.Min.X, Y: legendArea.Max.Y + vg.Points(10)}, dimension(l.dims[1]))
			legendArea.Max.Y -= vg.Points(8)
		}
		legend.Draw(legendArea)
	}
	var raw bytes.Buffer
	if _, err := canvas.WriteTo(&raw); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return sanitize(raw.Bytes(), rootAttrs{id: o.ID, title: o.Title, describedBy: o.DescribedBy})
}

// wholeTicks marks whole numbers only: counts of persons.
func wholeTicks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value != math.Trunc(t.Value) {
			continue
		}
		if t.Label != "" {
			t.Label = strconv.FormatInt(int64(t.Value), 10)
		}
		out = append(out, t)
	}
	return out
}

// bars is a plot.Plotter: one bar per published cell, a hatched,
// labelled place per suppressed cell.
type bars struct {
	l     *layout
	top   float64
	label text.Style // counts above bars
	mark  text.Style // the suppressed mark
}

// groupWidth is the share of a category's width its bars take.
const groupWidth = 0.8

// DataRange implements plot.DataRanger.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(b.l.groups)) - 0.5, 0, b.top
}

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	slot := groupWidth / float64(len(b.l.series))
	y0, ytop := trY(0), trY(b.top)
	c.StrokeLine2(draw.LineStyle{Color: axisColor, Width: vg.Points(0.5)}, c.Min.X, y0, c.Max.X, y0)
	for g, row := range b.l.cells {
		for s, cl := range row {
			if !cl.present {
				continue
			}
			left := float64(g) - groupWidth/2 + float64(s)*slot
			x0, x1 := trX(left+slot*0.06), trX(left+slot*0.94)
			mid := (x0 + x1) / 2
			if cl.suppressed {
				// No bar: the place is hatched over the whole axis and
				// marked, so it reads as "not published", never as a value.
				hatch(c.Canvas, vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: ytop}})
				w := b.mark.Width(SuppressedMark)
				h := b.mark.Height(SuppressedMark)
				c.FillPolygon(white, rect(mid-w/2-1, y0+1, mid+w/2+1, y0+h+3))
				c.FillText(b.mark, vg.Point{X: mid, Y: y0 + 2}, SuppressedMark)
				continue
			}
			y1 := trY(float64(cl.count))
			c.FillPolygon(Palette[s%len(Palette)], rect(x0, y0, x1, y1))
			n := strconv.FormatInt(cl.count, 10)
			if b.label.Width(n) <= (x1-x0)+vg.Points(4) {
				c.FillText(b.label, vg.Point{X: mid, Y: y1 + 1}, n)
			}
		}
	}
}

func rect(x0, y0, x1, y1 vg.Length) []vg.Point {
	return []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
}

// hatch strokes diagonal lines across r, as one path.
func hatch(c vg.Canvas, r vg.Rectangle) {
	const step = 5
	w, h := r.Max.X-r.Min.X, r.Max.Y-r.Min.Y
	if w <= 0 || h <= 0 {
		return
	}
	var path vg.Path
	// Lines x = Min.X + k + (y - Min.Y), for k from -h to w.
	for k := -h; k < w; k += step {
		ylo := max(r.Min.Y, r.Min.Y-k)
		yhi := min(r.Max.Y, r.Min.Y-k+w)
		if ylo >= yhi {
			continue
		}
		path.Move(vg.Point{X: r.Min.X + k + (ylo - r.Min.Y), Y: ylo})
		path.Line(vg.Point{X: r.Min.X + k + (yhi - r.Min.Y), Y: yhi})
	}
	c.Push()
	c.SetColor(hatchColor)
	c.SetLineWidth(vg.Points(0.6))
	c.SetLineDash(nil, 0)
	c.Stroke(path)
	c.Pop()
}

// swatch is a series' legend thumbnail.
type swatch struct{ color color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.color, rect(c.Min.X, c.Min.Y, c.Max.X, c.Max.Y))
}

// hatchThumb is the suppressed mark's legend thumbnail.
type hatchThumb struct{}

func (hatchThumb) Thumbnail(c *draw.Canvas) {
	hatch(c.Canvas, c.Rectangle)
}
