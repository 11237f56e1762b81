package org.bpf4j.stacks;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A flame graph as one self-contained HTML page: the merged stacks as JSON and a small script that draws them as
 * inline SVG (root at the bottom, width by share), with a search box that highlights matching frames and gives their
 * share, and click-to-zoom. Nothing is fetched at view time. {@code #search=TEXT} in the URL searches on load.
 * Frames are coloured by kind from their annotation ({@code _[k]} kernel, {@code _[j]} JIT, {@code _[i]}
 * interpreted; other frames native), as flamegraph.pl's {@code --color=java}.
 */
public final class FlameGraph {
    /** A node of the merged tree: a frame, its total count, its callees by name. */
    private static final class Node {
        final String name;
        long value;
        final Map<String, Node> children = new LinkedHashMap<>();

        Node(String name) { this.name = name; }
    }

    private final Node root = new Node("all");
    private final String title;

    /** An empty graph called {@code title}, with the unit its counts are in ({@code samples}, {@code us}). */
    public FlameGraph(String title) { this.title = title; }

    /** Adds one stack, root first, counted {@code n}. */
    public void add(List<String> rootFirst, long n) {
        Node at = root;
        at.value += n;
        for (String f : rootFirst) {
            at = at.children.computeIfAbsent(f, Node::new);
            at.value += n;
        }
    }

    /** Writes {@code counts} as a flame graph page to {@code file}, frames annotated by kind for the colours. */
    public static void write(java.nio.file.Path file, String title, String unit, StackCounts counts, StackCounts.Format format) {
        FlameGraph g = new FlameGraph(title);
        StackCounts.Format annotated = new StackCounts.Format(format.userOnly(), format.kernelOnly(), format.delimited(), true);
        counts.counts().forEach((s, n) -> g.add(StackCounts.folded(s, annotated), n));
        try (Writer w = java.nio.file.Files.newBufferedWriter(file)) {
            g.write(w, unit);
        } catch (IOException e) {
            throw new org.bpf4j.UserException("cannot write the flame graph " + file + ": " + e.getMessage(), e);
        }
    }

    /** The sum of every stack's count. */
    public long total() { return root.value; }

    /** Writes the page. {@code unit} names what a count is ({@code samples}, {@code us}). */
    public void write(Writer out, String unit) throws IOException {
        StringBuilder json = new StringBuilder();
        json(root, json);
        out.write("""
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>%s</title>
                <style>
                body { font: 12px Verdana, sans-serif; margin: 8px; background: #fff; }
                #bar { display: flex; gap: 12px; align-items: center; margin-bottom: 6px; }
                #bar h1 { font-size: 16px; margin: 0 auto 0 0; }
                #details { height: 16px; font-family: monospace; margin-top: 4px; }
                svg rect { stroke: #fff; stroke-width: 0.5; }
                svg text { font: 11px Verdana, sans-serif; pointer-events: none; }
                svg g.frame { cursor: pointer; }
                </style></head>
                <body>
                <div id="bar"><h1>%s</h1>
                <button id="reset" type="button">Reset zoom</button>
                <input id="search" type="search" placeholder="search (regex)" size="30">
                <span id="matched"></span></div>
                <svg id="graph" xmlns="http://www.w3.org/2000/svg" width="100%%"></svg>
                <div id="details"></div>
                <script>
                const UNIT = %s;
                const DATA = %s;
                """.formatted(escape(title), escape(title), quote(unit), json));
        out.write(SCRIPT);
        out.write("</script></body></html>\n");
    }

    private static void json(Node n, StringBuilder sb) {
        sb.append("{\"n\":").append(quote(n.name)).append(",\"v\":").append(n.value);
        if (!n.children.isEmpty()) {
            sb.append(",\"c\":[");
            List<Node> kids = new ArrayList<>(n.children.values());
            kids.sort((a, b) -> a.name.compareTo(b.name)); // alphabetical, as flame graphs sort siblings
            for (int i = 0; i < kids.size(); i++) {
                if (i > 0) sb.append(',');
                json(kids.get(i), sb);
            }
            sb.append(']');
        }
        sb.append('}');
    }

    /** A JSON string, safe inside a script element. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '<' -> sb.append("\\u003c");
                case '>' -> sb.append("\\u003e");
                case '&' -> sb.append("\\u0026");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The page's script: layout, colours, search and zoom. */
    private static final String SCRIPT = """
            const FRAME_H = 16, SVGNS = 'http://www.w3.org/2000/svg';
            const svg = document.getElementById('graph');
            let zoomed = DATA, query = null;
            function depthOf(n) { let d = 0; for (const c of n.c || []) d = Math.max(d, depthOf(c)); return d + 1; }
            function kind(name) {
              if (name.endsWith('_[k]')) return 'k';
              if (name.endsWith('_[j]')) return 'j';
              if (name.endsWith('_[i]')) return 'i';
              return 'n';
            }
            function hash(s) { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0; return h; }
            function colour(name) {
              const v = hash(name) % 60;
              switch (kind(name)) {
                case 'k': return `rgb(${200 + v % 55},${150 + v},${50})`;
                case 'j': return `rgb(${60 + v},${180 + v % 50},${60})`;
                case 'i': return `rgb(${60},${160 + v % 60},${200 + v % 55})`;
                default: return `rgb(${205 + v % 50},${80 + v},${40 + v % 30})`;
              }
            }
            function label(name) { return name.replace(/_\\[[kji]\\]$/, ''); }
            function pct(v) { return (100 * v / DATA.v).toFixed(2); }
            function parentsOf(target) {
              const path = [];
              (function walk(n) {
                if (n === target) return true;
                for (const c of n.c || []) if (walk(c)) { path.push(n); return true; }
                return false;
              })(DATA);
              return path;
            }
            function draw() {
              while (svg.firstChild) svg.removeChild(svg.firstChild);
              const width = Math.max(svg.clientWidth || 1200, 400);
              const ancestors = parentsOf(zoomed).reverse();
              const rows = ancestors.length + depthOf(zoomed);
              const height = rows * FRAME_H + 4;
              svg.setAttribute('height', height);
              svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
              const scale = width / zoomed.v;
              let level = 0;
              for (const a of ancestors) { box(a, 0, width, level++, a.v, true); }
              (function place(n, x, level) {
                const w = n.v * scale;
                if (w < 0.3) return;
                box(n, x, w, level, n.v, false);
                let cx = x;
                for (const c of n.c || []) { place(c, cx, level + 1); cx += c.v * scale; }
              })(zoomed, 0, level);
            }
            function box(n, x, w, level, value, faded) {
              const y = svg.getAttribute('height') - (level + 1) * FRAME_H;
              const g = document.createElementNS(SVGNS, 'g');
              g.setAttribute('class', 'frame');
              g.dataset.name = label(n.n);
              g.dataset.share = pct(value);
              const title = document.createElementNS(SVGNS, 'title');
              title.textContent = `${label(n.n)} (${value} ${UNIT}, ${pct(value)}%)`;
              const r = document.createElementNS(SVGNS, 'rect');
              r.setAttribute('x', x.toFixed(1)); r.setAttribute('y', y);
              r.setAttribute('width', Math.max(w - 0.5, 0.1).toFixed(1)); r.setAttribute('height', FRAME_H - 1);
              const matched = query && query.test(label(n.n));
              r.setAttribute('fill', matched ? 'rgb(230,0,230)' : colour(n.n));
              if (matched) g.classList.add('match');
              if (faded) r.setAttribute('fill-opacity', '0.5');
              const t = document.createElementNS(SVGNS, 'text');
              t.setAttribute('x', (x + 3).toFixed(1)); t.setAttribute('y', y + FRAME_H - 4);
              const chars = Math.floor((w - 6) / 7);
              const text = label(n.n);
              t.textContent = chars < 3 ? '' : text.length <= chars ? text : text.slice(0, chars - 2) + '..';
              g.append(title, r, t);
              g.addEventListener('click', () => { zoomed = n; draw(); });
              g.addEventListener('mouseover', () => { document.getElementById('details').textContent = title.textContent; });
              svg.appendChild(g);
            }
            function search(text) {
              query = null;
              const m = document.getElementById('matched');
              if (text) {
                try { query = new RegExp(text); } catch (e) { query = new RegExp(text.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&')); }
              }
              // the share matched: each stack counted once, at its outermost matching frame
              let sum = 0;
              (function walk(n) {
                if (query && n !== DATA && query.test(label(n.n))) { sum += n.v; return; }
                for (const c of n.c || []) walk(c);
              })(DATA);
              m.textContent = query ? `Matched: ${pct(sum)}%` : '';
              m.dataset.share = query ? pct(sum) : '';
              draw();
            }
            document.getElementById('search').addEventListener('input', e => search(e.target.value));
            document.getElementById('reset').addEventListener('click', () => { zoomed = DATA; draw(); });
            window.addEventListener('resize', draw);
            const initial = new URLSearchParams(location.hash.slice(1)).get('search');
            if (initial) { document.getElementById('search').value = initial; search(initial); } else draw();
            """;
}
