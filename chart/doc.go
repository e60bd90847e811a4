// Package chart draws a protected statistics table (a stats.Result) as an
// SVG bar chart that a web page can inline.
//
// What is drawn:
//
//   - one dimension: one bar per category;
//   - two dimensions: grouped bars, the first dimension's categories along
//     the axis and one bar per category of the second dimension in each
//     group, with a legend;
//   - three or more dimensions: the first two, at the total of every other
//     dimension (the table's margins over the others). The chart says so
//     in its note, and the data table beside it holds every cell.
//
// Totals (stats.Total) are never drawn as bars: they are in the data table.
// A suppressed cell (GR 38 §111) never becomes a bar, not even one of
// height zero: its place is left empty, hatched over the whole height of
// the axis so that it cannot be read as a small value, and labelled "C",
// with a legend entry saying what "C" means. A withheld table has no chart
// (ErrWithheld). The vertical axis is scaled on published counts only.
//
// The SVG is safe to inline in HTML: the library's output is parsed and
// written again keeping only an allow-list of SVG elements and attributes
// (no script, no foreignObject, no event handler, no link, no url()), with
// every text escaped. Style declarations are turned into presentation
// attributes, because Haven's Content-Security-Policy (style-src 'self')
// makes browsers ignore inline style attributes. The root carries
// role="img", a <title> and aria-labelledby, and aria-describedby pointing
// at the data table that the page shows beside the chart.
//
// # Why gonum.org/v1/plot
//
// The bars are laid out and drawn by gonum.org/v1/plot (v0.17.0), through
// its SVG back end plot/vg/vgsvg, rather than by hand-written SVG:
//
//   - it comes from the gonum project, whose numerical library Haven already
//     uses (gonum v0.17.0, for the disclosure package's linear programming):
//     one maintainer organisation, a stable API, a long release history, BSD
//     licence, pure Go (builds with CGO_ENABLED=0);
//   - its Plotter interface lets Haven draw its own bars in the library's
//     coordinates, with the library's axes, ticks, legend and text
//     measurement, so a suppressed cell is drawn as a hatched "C" instead of
//     a bar. The alternative considered, github.com/go-analyze/charts
//     v0.6.4, renders whole charts from value slices: a suppressed value can
//     be left out (a null leaves a gap) but not marked without recomputing
//     the bar positions outside the library;
//   - it shares what Haven already carries for its PDF documents: the
//     Liberation fonts and go-pdf/fpdf (moved from v0.10.0 to v0.11.1 by
//     plot's requirement).
//
// The cost: package plot links all of its back ends (raster through
// sbinet/gg and golang/freetype, PDF, EPS, LaTeX text), about 4 MB of
// binary; go-analyze/charts would also bring golang/freetype. vgsvg escapes
// text (html.EscapeString), and the sanitising pass above does not rely on
// it alone.
package chart
