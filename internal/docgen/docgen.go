package docgen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
)

// Page says what Reference renders.
type Page struct {
	// Title is the page's heading.
	Title string
	// Intro follows the heading: what the file is and how to check one.
	Intro string
	// Dir is the directory of the Go package that declares the types.
	Dir string
	// Root is the type the file's top level is.
	Root string
	// External describes types from other packages that fields use, by
	// their qualified name as written in the source (such as
	// "chaosmeshv1alpha1.PodChaosSpec"); a type it does not name is shown
	// as written.
	External map[string]string
	// Notes add to a field's description, by "Type.jsonName" (such as
	// "Budget.maxActions"): what the doc comment does not say, such as how
	// the field is checked and graded. A note for no field is an error, so
	// notes cannot outlive their field.
	Notes map[string]string
	// NoteEveryField makes a field without a note an error, for a page
	// whose every field must say how it is used.
	NoteEveryField bool
	// Outro follows the field tables.
	Outro string
}

// typeDecl is one struct type of the package, with its doc.
type typeDecl struct {
	name   string
	doc    string
	fields []*ast.Field
}

// Reference renders the Markdown reference of a file format whose Go
// types are declared in p.Dir: a section for p.Root and for every struct
// type of the package it reaches through its fields, in the order reached,
// each a table of its fields (the JSON name, the type, required or
// optional, and the field's doc). It reads the package's source (not its
// tests), so the page cannot drift from the types.
func Reference(p Page) (string, error) {
	decls, err := structs(p.Dir)
	if err != nil {
		return "", err
	}
	if _, ok := decls[p.Root]; !ok {
		return "", fmt.Errorf("no struct type %s in %s", p.Root, p.Dir)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n<!-- Generated from the Go types in %s by internal/docgen: do not edit; run `make generate`. -->\n\n%s\n",
		p.Title, filepath.ToSlash(p.Dir), strings.TrimSpace(p.Intro))
	seen := map[string]bool{p.Root: true}
	queue := []string{p.Root}
	used := map[string]bool{}
	var missing []string
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		d := decls[name]
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", name, paragraph(d.doc))
		rs := rows(d, decls, p.External, func(field string) string {
			key := name + "." + field
			note, ok := p.Notes[key]
			used[key] = ok
			if !ok && p.NoteEveryField {
				missing = append(missing, key)
			}
			return note
		})
		if len(rs) > 0 {
			b.WriteString("\n| field | type | | description |\n|---|---|---|---|\n")
		}
		for _, row := range rs {
			b.WriteString(row.line)
			for _, t := range row.refs {
				if !seen[t] {
					seen[t] = true
					queue = append(queue, t)
				}
			}
		}
	}
	var stale []string
	for key := range p.Notes {
		if !used[key] {
			stale = append(stale, key)
		}
	}
	slices.Sort(stale)
	switch {
	case len(missing) > 0:
		return "", fmt.Errorf("%s: no note for %s", p.Title, strings.Join(missing, ", "))
	case len(stale) > 0:
		return "", fmt.Errorf("%s: notes for no field: %s", p.Title, strings.Join(stale, ", "))
	}
	if p.Outro != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(p.Outro))
	}
	return b.String(), nil
}

// structs reads every struct type declared in the package at dir, leaving
// out tests.
func structs(dir string) (map[string]typeDecl, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[string]typeDecl{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(filepath.Base(f), "zz_generated") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("failed to read %s: %w", f, err)
		}
		file, err := parser.ParseFile(fset, f, src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("failed to parse %s: %w", f, err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				doc := ts.Doc.Text()
				if doc == "" && len(gd.Specs) == 1 {
					doc = gd.Doc.Text()
				}
				out[ts.Name.Name] = typeDecl{name: ts.Name.Name, doc: doc, fields: st.Fields.List}
			}
		}
	}
	return out, nil
}

type row struct {
	line string
	// refs are the package's struct types the field's type names.
	refs []string
}

// rows renders d's fields, expanding embedded and inline ones in place;
// note returns what to add to a field's description, by its JSON name.
func rows(d typeDecl, decls map[string]typeDecl, external map[string]string, note func(string) string) []row {
	var out []row
	for _, f := range d.fields {
		name, omitempty, inline := jsonName(f)
		if name == "-" {
			continue
		}
		if inline || len(f.Names) == 0 {
			if inner, ok := decls[baseName(f.Type)]; ok {
				out = append(out, rows(inner, decls, external, note)...)
				continue
			}
		}
		if name == "" || (len(f.Names) > 0 && !ast.IsExported(f.Names[0].Name)) {
			continue
		}
		doc := f.Doc.Text()
		need := "required"
		if omitempty || strings.Contains(doc, "+optional") {
			need = "optional"
		}
		typ, refs := typeText(f.Type, decls, external)
		desc := cell(doc)
		if n := note(name); n != "" {
			desc = strings.TrimSpace(desc + " " + cell(n))
		}
		out = append(out, row{line: fmt.Sprintf("| `%s` | %s | %s | %s |\n", name, typ, need, desc), refs: refs})
	}
	return out
}

// jsonName reads a field's JSON name and options from its tag.
func jsonName(f *ast.Field) (name string, omitempty, inline bool) {
	if f.Tag != nil {
		tag := reflect.StructTag(strings.Trim(f.Tag.Value, "`")).Get("json")
		parts := strings.Split(tag, ",")
		name = parts[0]
		omitempty = slices.Contains(parts[1:], "omitempty")
		inline = slices.Contains(parts[1:], "inline")
	}
	if name == "" && len(f.Names) > 0 && !inline {
		name = f.Names[0].Name
	}
	return name, omitempty, inline
}

// baseName is the name of the type under pointers, slices and maps.
func baseName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return baseName(t.X)
	case *ast.ArrayType:
		return baseName(t.Elt)
	case *ast.MapType:
		return baseName(t.Value)
	}
	return ""
}

// typeText writes a field's type for people, linking the package's own
// struct types, and returns those it names.
func typeText(e ast.Expr, decls map[string]typeDecl, external map[string]string) (string, []string) {
	switch t := e.(type) {
	case *ast.Ident:
		if _, ok := decls[t.Name]; ok {
			return fmt.Sprintf("[%s](#%s)", t.Name, strings.ToLower(t.Name)), []string{t.Name}
		}
		return "`" + t.Name + "`", nil
	case *ast.StarExpr:
		return typeText(t.X, decls, external)
	case *ast.ArrayType:
		s, refs := typeText(t.Elt, decls, external)
		return "list of " + s, refs
	case *ast.MapType:
		s, refs := typeText(t.Value, decls, external)
		return "map of " + s, refs
	case *ast.SelectorExpr:
		q := fmt.Sprint(t.X) + "." + t.Sel.Name
		if d, ok := external[q]; ok {
			return d, nil
		}
		return "`" + q + "`", nil
	}
	return "`?`", nil
}

// paragraph is a doc comment as one paragraph of prose, without markers.
func paragraph(doc string) string {
	var kept []string
	for _, l := range strings.Split(doc, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "+") {
			continue
		}
		kept = append(kept, l)
	}
	return strings.TrimSpace(strings.Join(kept, " "))
}

// cell is a doc comment fit for a table cell.
func cell(doc string) string {
	return strings.ReplaceAll(paragraph(doc), "|", `\|`)
}
