# Times lavaan for benchmarks/run.py. Args: data.csv model.lav n_fits n_boot
# Prints lines "ms_per_fit <value>" and "boot_seconds <value>".
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
m <- paste(readLines(args[2]), collapse = "\n")
k <- as.integer(args[3])
nb <- as.integer(args[4])
invisible(sem(m, data = d))                      # warm-up
tt <- system.time(for (i in seq_len(k)) sem(m, data = d))[["elapsed"]]
cat("ms_per_fit", 1000 * tt / k, "\n")
if (nb > 0) {
  set.seed(1)
  tb <- system.time(sem(m, data = d, se = "bootstrap", bootstrap = nb))[["elapsed"]]
  cat("boot_seconds", tb, "\n")
}
