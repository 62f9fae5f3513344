# Times lavaan's cfa(..., ordered = TRUE) for benchmarks/bench_ordinal.py.
# Args: data.csv model.lav n_fits missing     Prints "ms_per_fit <value>".
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
m <- paste(readLines(args[2]), collapse = "\n")
k <- as.integer(args[3])
rhs <- sub(".*=~", "", grep("=~", strsplit(m, "\n")[[1]], value = TRUE))
items <- unique(unlist(regmatches(rhs, gregexpr("[A-Za-z_.][A-Za-z0-9_.]*", rhs))))
items <- intersect(items, names(d))
invisible(cfa(m, data = d, ordered = items, missing = args[4]))     # warm-up
tt <- system.time(for (i in seq_len(k)) cfa(m, data = d, ordered = items, missing = args[4]))[["elapsed"]]
cat("ms_per_fit", 1000 * tt / k, "\n")
