# Times lavaan for benchmarks/run.py. Args: data.csv model.lav n_fits n_boot [missing [estimator]]
# Prints lines "ms_per_fit <value>" and "boot_seconds <value>".
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
m <- paste(readLines(args[2]), collapse = "\n")
k <- as.integer(args[3])
nb <- as.integer(args[4])
miss <- if (length(args) >= 5) args[5] else "listwise"
est <- if (length(args) >= 6) args[6] else "ML"
invisible(sem(m, data = d, missing = miss, estimator = est))                      # warm-up
tt <- system.time(for (i in seq_len(k)) sem(m, data = d, missing = miss, estimator = est))[["elapsed"]]
cat("ms_per_fit", 1000 * tt / k, "\n")
if (nb > 0) {
  set.seed(1)
  tb <- system.time(sem(m, data = d, missing = miss, se = "bootstrap", bootstrap = nb))[["elapsed"]]
  cat("boot_seconds", tb, "\n")
}
