// Command render renders a Helm chart the way `helm template` does, for CI
// machines without a helm binary: Go text/template with sprig (Helm's own
// engine), plus Helm's include, tpl, toYaml, fromYaml, required, lookup, the
// .Values/.Release/.Chart/.Capabilities/.Template objects, values.schema.json
// validation (gojsonschema, the library Helm uses) and unpacked subcharts in
// charts/ (their templates share the named-template namespace, their values
// come from the parent's .Values.<subchart>).
//
//	render [-f values.yaml]... [--set a.b=c]... [--name R] [--namespace N]
//	       [--upgrade] [--notes] [--show-only templates/x.yaml] CHART_DIR
//
// Exit 1 with Helm's wording when the values break the schema or a template
// fails (required, fail, a bad expression).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/xeipuuv/gojsonschema"
	"gopkg.in/yaml.v3"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

type values = map[string]interface{}

// chart is one loaded chart directory and its unpacked subcharts.
type chart struct {
	name      string // path prefix of its templates, e.g. app/charts/schemagate
	meta      values
	defaults  values
	schema    []byte
	templates map[string]string // template name -> text
	subcharts []*chart
}

func main() {
	var files, sets, setStrings, setFiles listFlag
	name := flag.String("name", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	upgrade := flag.Bool("upgrade", false, "render as an upgrade (.Release.IsUpgrade)")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt instead of the manifests")
	showOnly := flag.String("show-only", "", "only this template (path relative to the chart)")
	flag.Var(&files, "f", "values file (repeatable)")
	flag.Var(&sets, "set", "a.b=value (repeatable; true/false/null/integers are typed)")
	flag.Var(&setStrings, "set-string", "a.b=value, always a string (repeatable)")
	flag.Var(&setFiles, "set-file", "a.b=path: the file's content (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: render [-f values.yaml]... [--set a=b]... CHART_DIR")
		os.Exit(2)
	}
	out, err := run(flag.Arg(0), files, overrides(sets, setStrings, setFiles), *name, *namespace, *upgrade, *notes, *showOnly)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	fmt.Print(out)
}

// override is one --set, --set-string or --set-file, in command-line order
// within its kind (as helm: --set, then --set-string, then --set-file).
type override struct {
	assignment string
	kind       string
}

func overrides(sets, strs, files []string) []override {
	var out []override
	for _, s := range sets {
		out = append(out, override{s, "set"})
	}
	for _, s := range strs {
		out = append(out, override{s, "string"})
	}
	for _, s := range files {
		out = append(out, override{s, "file"})
	}
	return out
}

func run(dir string, files []string, sets []override, name, ns string, upgrade, notes bool, showOnly string) (string, error) {
	c, err := loadChart(dir, "")
	if err != nil {
		return "", err
	}
	user := values{}
	for _, f := range files {
		v, err := readYAML(f)
		if err != nil {
			return "", err
		}
		user = coalesce(v, user)
	}
	for _, s := range sets {
		if err := setValue(user, s.assignment, s.kind); err != nil {
			return "", err
		}
	}
	vals := withSubchartValues(c, coalesce(user, c.defaults))
	if err := validateAll(c, vals); err != nil {
		return "", err
	}
	release := values{"Name": name, "Namespace": ns, "IsInstall": !upgrade, "IsUpgrade": upgrade,
		"Revision": 1, "Service": "Helm"}
	return renderChart(c, vals, release, notes, showOnly)
}

func readYAML(file string) (values, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v := values{}
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return v, nil
}

func loadChart(dir, parent string) (*chart, error) {
	meta, err := readYAML(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	c := &chart{meta: meta, templates: map[string]string{}}
	n, _ := meta["name"].(string)
	c.name = n
	if parent != "" {
		c.name = parent + "/charts/" + n
	}
	c.defaults = values{}
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err == nil {
		if c.defaults, err = readYAML(filepath.Join(dir, "values.yaml")); err != nil {
			return nil, err
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "values.schema.json")); err == nil {
		c.schema = data
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "templates"))
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "templates", e.Name()))
		if err != nil {
			return nil, err
		}
		c.templates[c.name+"/templates/"+e.Name()] = string(data)
	}
	subs, _ := os.ReadDir(filepath.Join(dir, "charts"))
	for _, e := range subs {
		sub := filepath.Join(dir, "charts", e.Name())
		if st, err := os.Stat(sub); err != nil || !st.IsDir() {
			continue
		}
		sc, err := loadChart(sub, c.name)
		if err != nil {
			return nil, err
		}
		c.subcharts = append(c.subcharts, sc)
	}
	return c, nil
}

// coalesce merges src over dst as Helm does: maps recursively, a null in src
// deletes the key.
func coalesce(src, dst values) values {
	out := values{}
	for k, v := range dst {
		out[k] = v
	}
	for k, v := range src {
		if v == nil {
			delete(out, k)
			continue
		}
		sm, sok := v.(values)
		dm, dok := out[k].(values)
		if sok && dok {
			out[k] = coalesce(sm, dm)
		} else {
			out[k] = v
		}
	}
	return out
}

func setValue(root values, assignment, kind string) error {
	eq := strings.Index(assignment, "=")
	if eq < 0 {
		return fmt.Errorf("--set %q: want key=value", assignment)
	}
	// `\.` escapes a dot inside a key (as helm: files.a\.sql=...)
	key := strings.ReplaceAll(assignment[:eq], `\.`, "\x00")
	parts := strings.Split(key, ".")
	m := root
	for i, p := range parts {
		p = strings.ReplaceAll(p, "\x00", ".")
		if i == len(parts)-1 {
			value := assignment[eq+1:]
			switch kind {
			case "string":
				m[p] = value
			case "file":
				data, err := os.ReadFile(value)
				if err != nil {
					return err
				}
				m[p] = string(data)
			default:
				m[p] = typed(value)
			}
			break
		}
		next, ok := m[p].(values)
		if !ok {
			next = values{}
			m[p] = next
		}
		m = next
	}
	return nil
}

func typed(s string) interface{} {
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

// validateAll checks the values of the chart and of each subchart against
// their values.schema.json, listing every problem as Helm does.
func validateAll(c *chart, vals values) error {
	var report strings.Builder
	validateInto(c, vals, &report)
	if report.Len() == 0 {
		return nil
	}
	return errors.New("values don't meet the specifications of the schema(s) in the following chart(s):\n" +
		report.String())
}

func validateInto(c *chart, vals values, report *strings.Builder) {
	if c.schema != nil {
		doc, err := json.Marshal(vals)
		if err != nil {
			fmt.Fprintf(report, "%s:\n- %v\n", c.meta["name"], err)
			return
		}
		res, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(c.schema),
			gojsonschema.NewBytesLoader(doc))
		if err != nil {
			fmt.Fprintf(report, "%s:\n- values.schema.json: %v\n", c.meta["name"], err)
		} else if !res.Valid() {
			fmt.Fprintf(report, "%s:\n", c.meta["name"])
			for _, e := range res.Errors() {
				fmt.Fprintf(report, "- %s\n", e)
			}
		}
	}
	for _, sc := range c.subcharts {
		validateInto(sc, subValues(sc, vals), report)
	}
}

// withSubchartValues fills .Values.<subchart> with the subchart's defaults
// under the parent's values for it, as Helm does, so a parent's templates see
// the values the subchart renders with.
func withSubchartValues(c *chart, vals values) values {
	for _, sc := range c.subcharts {
		vals[sc.meta["name"].(string)] = withSubchartValues(sc, subValues(sc, vals))
	}
	return vals
}

func subValues(sc *chart, parent values) values {
	own, _ := parent[sc.meta["name"].(string)].(values)
	return coalesce(own, sc.defaults)
}

func chartObject(meta values) values {
	o := values{}
	for k, v := range meta {
		o[strings.ToUpper(k[:1])+k[1:]] = v
	}
	return o
}

type versionSet []string

// Has reports whether an API version (or version/Kind) is known, as
// .Capabilities.APIVersions.Has.
func (v versionSet) Has(s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

var capabilities = values{
	"KubeVersion": values{"Version": "v1.29.0", "Major": "1", "Minor": "29", "GitVersion": "v1.29.0"},
	"APIVersions": versionSet{"v1", "apps/v1", "batch/v1", "policy/v1", "batch/v1/Job",
		"apps/v1/Deployment", "v1/ConfigMap", "v1/PersistentVolumeClaim", "v1/Secret"},
	"HelmVersion": values{"Version": "v3.14.0"},
}

type renderJob struct {
	name string
	ctx  values
}

func renderChart(c *chart, vals, release values, notes bool, showOnly string) (string, error) {
	var jobs []renderJob
	all := map[string]string{}
	collect(c, vals, release, all, &jobs)
	t := template.New("gotpl").Option("missingkey=zero")
	t.Funcs(funcMap(t))
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := t.New(n).Parse(all[n]); err != nil {
			return "", helmError(err)
		}
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].name < jobs[j].name })
	var out strings.Builder
	for _, j := range jobs {
		base := path.Base(j.name)
		isNotes := base == "NOTES.txt"
		if strings.HasPrefix(base, "_") || isNotes != notes || (notes && j.name != c.name+"/templates/NOTES.txt") {
			continue
		}
		if showOnly != "" && j.name != c.name+"/"+showOnly {
			continue
		}
		ctx := values{}
		for k, v := range j.ctx {
			ctx[k] = v
		}
		ctx["Template"] = values{"Name": j.name, "BasePath": path.Dir(j.name)}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, j.name, ctx); err != nil {
			return "", helmError(err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if notes {
			out.WriteString(text)
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", j.name, strings.TrimLeft(text, "\n"))
	}
	if showOnly != "" && out.Len() == 0 {
		return "", fmt.Errorf("could not find template %s in chart", showOnly)
	}
	return out.String(), nil
}

func collect(c *chart, vals, release values, all map[string]string, jobs *[]renderJob) {
	ctx := values{"Values": vals, "Release": release, "Chart": chartObject(c.meta),
		"Capabilities": capabilities, "Files": values{}}
	for n, text := range c.templates {
		all[n] = text
		*jobs = append(*jobs, renderJob{n, ctx})
	}
	for _, sc := range c.subcharts {
		collect(sc, subValues(sc, vals), release, all, jobs)
	}
}

var (
	location  = regexp.MustCompile(`^template: ([^:]+:\d+:\d+): `)
	callError = regexp.MustCompile(`error calling (?:required|fail): `)
)

// helmError words failures of required and fail as Helm does: "execution
// error at (chart/templates/x.yaml:12:5): message", the location being the
// outermost template, the message the innermost.
func helmError(err error) error {
	msg := err.Error()
	loc := location.FindStringSubmatch(msg)
	calls := callError.FindAllStringIndex(msg, -1)
	if loc == nil || calls == nil {
		return err
	}
	return fmt.Errorf("execution error at (%s): %s", loc[1], msg[calls[len(calls)-1][1]:])
}

func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func funcMap(t *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["fromYaml"] = func(s string) values {
		m := values{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromJson"] = func(s string) values {
		m := values{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	f["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	f["lookup"] = func(string, string, string, string) (values, error) { return values{}, nil }
	f["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		inner, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		if err := inner.Execute(&buf, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	return f
}
