// The browser benchmarks' entry point, run by `cargo xtask bench`:
//   node bench/browser/run.mjs <first-visit|offline-open|case-list|sync|files> '<config as JSON>'
// It prints one `SAKHI_BENCH {json}` line per figure on stdout, with the raw samples of every timed
// run; the orchestrator turns them into medians, ranges and ratios. Progress goes to stderr.
import { caseList } from "./case_list.mjs";
import { files } from "./files.mjs";
import { firstVisit } from "./first_visit.mjs";
import { offlineOpen } from "./offline_open.mjs";
import { sync } from "./sync.mjs";

const benchmarks = {
  "first-visit": firstVisit,
  "offline-open": offlineOpen,
  "case-list": caseList,
  sync,
  files,
};

const [name, json] = process.argv.slice(2);
const benchmark = benchmarks[name];
if (!benchmark || !json) {
  console.error(`usage: node bench/browser/run.mjs <${Object.keys(benchmarks).join("|")}> '<config JSON>'`);
  process.exit(2);
}
try {
  await benchmark(JSON.parse(json));
} catch (error) {
  console.error(`${name}: ${error.stack ?? error}`);
  process.exit(1);
}
