package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

const svgNS = "http://www.w3.org/2000/svg"

// elements are the SVG elements a chart may contain; any other element is
// dropped with everything inside it.
var elements = []string{"svg", "g", "path", "rect", "line", "polyline", "polygon", "circle", "ellipse", "text", "tspan", "title", "desc"}

// textElements keep their character data.
var textElements = []string{"text", "tspan", "title", "desc"}

// geometry are the attributes kept as they are.
var geometry = []string{"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height", "d", "points", "transform", "viewBox", "dx", "dy"}

// presentation are the properties kept, as attributes, from either an
// attribute or a style declaration.
var presentation = []string{
	"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray",
	"stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "opacity",
	"font-family", "font-size", "font-weight", "font-style", "font-variant", "text-anchor", "dominant-baseline",
}

// rootAttrs are what the chart adds to the root element.
type rootAttrs struct {
	id, title, describedBy string
}

// sanitize writes an SVG document again keeping only allowed elements and
// attributes, with style declarations as presentation attributes, the XML
// prolog and comments dropped, and every value and text escaped. The root
// gets role="img", a <title> and aria-labelledby (and aria-describedby).
func sanitize(in []byte, root rootAttrs) ([]byte, error) {
	dec := xml.NewDecoder(bytes.NewReader(in))
	var out bytes.Buffer
	var stack []string // names of the open elements written
	skip := 0          // depth inside a dropped element
	seenRoot := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("chart: the SVG does not parse: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			name := t.Name.Local
			if (t.Name.Space != svgNS && t.Name.Space != "") || !slices.Contains(elements, name) {
				skip = 1
				continue
			}
			if !seenRoot {
				if name != "svg" {
					return nil, fmt.Errorf("chart: the document's root is not svg")
				}
				seenRoot = true
				out.WriteString(`<svg xmlns="` + svgNS + `" role="img" focusable="false"`)
				writeAttr(&out, "aria-labelledby", root.id+"-title")
				if root.describedBy != "" {
					writeAttr(&out, "aria-describedby", root.describedBy)
				}
				writeAttr(&out, "id", root.id)
				writeAttrs(&out, t.Attr)
				out.WriteString(`><title`)
				writeAttr(&out, "id", root.id+"-title")
				out.WriteString(`>`)
				escapeText(&out, root.title)
				out.WriteString(`</title>`)
			} else {
				out.WriteString("<" + name)
				writeAttrs(&out, t.Attr)
				out.WriteString(">")
			}
			stack = append(stack, name)
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			if len(stack) == 0 {
				return nil, fmt.Errorf("chart: the SVG does not parse")
			}
			out.WriteString("</" + stack[len(stack)-1] + ">")
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if skip == 0 && len(stack) > 0 && slices.Contains(textElements, stack[len(stack)-1]) {
				escapeText(&out, string(t))
			}
		}
		// Comments, processing instructions and directives are dropped.
	}
	if !seenRoot || len(stack) != 0 {
		return nil, fmt.Errorf("chart: the SVG is incomplete")
	}
	return out.Bytes(), nil
}

// writeAttrs writes the allowed attributes of an element, the style
// declarations among them as attributes (an attribute wins over a
// declaration of the same property, as written first).
func writeAttrs(out *bytes.Buffer, attrs []xml.Attr) {
	written := map[string]bool{}
	emit := func(name, value string) {
		if written[name] || !safeValue(value) {
			return
		}
		written[name] = true
		writeAttr(out, name, value)
	}
	var style string
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue // xlink:href, xmlns:… and other namespaced attributes
		}
		switch n := a.Name.Local; {
		case n == "style":
			style = a.Value
		case slices.Contains(geometry, n), slices.Contains(presentation, n):
			emit(n, a.Value)
		}
	}
	for decl := range strings.SplitSeq(style, ";") {
		prop, value, ok := strings.Cut(decl, ":")
		prop, value = strings.TrimSpace(prop), strings.TrimSpace(value)
		if ok && slices.Contains(presentation, prop) {
			emit(prop, value)
		}
	}
}

// safeValue refuses values that could fetch or run anything.
func safeValue(v string) bool {
	l := strings.ToLower(v)
	return !strings.Contains(l, "url(") && !strings.Contains(l, "javascript:") && !strings.Contains(l, "expression(")
}

func writeAttr(out *bytes.Buffer, name, value string) {
	out.WriteString(" " + name + `="`)
	escapeText(out, value)
	out.WriteString(`"`)
}

// escapeText escapes s for XML text and attribute values alike.
func escapeText(out *bytes.Buffer, s string) {
	_ = xml.EscapeText(out, []byte(s))
}
