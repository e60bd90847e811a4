package main_test

import (
	"bufio"
	"net/http"
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// BenchmarkDemoFirstPage starts the real `haven demo` with its default
// 2,000 cases and measures the time until its login page answers.
// Target (issue "Foundation"): under 10 s.
func BenchmarkDemoFirstPage(b *testing.B) {
	bin, err := havenBinary()
	if err != nil {
		b.Fatal(err)
	}
	urlLine := regexp.MustCompile(`running at (http://\S+?)/?$`)
	var total time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0")
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		url := ""
		for url == "" && sc.Scan() {
			if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
				url = m[1]
			}
		}
		if url == "" {
			cmd.Process.Kill()
			cmd.Wait()
			b.Fatal("demo printed no address")
		}
		for {
			resp, err := http.Get(url + "/login")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		total += time.Since(start)
		n++
		cmd.Process.Kill()
		cmd.Wait()
	}
	b.ReportMetric(total.Seconds()/float64(n), "s/first-page")
}
