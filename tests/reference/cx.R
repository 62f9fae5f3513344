# Reference values for tests/test_cx*.py (run: Rscript tests/reference/cx.R from the repo root).
# Writes tests/reference/cx/*.csv. Inputs are read from CSV files in the repo, so R and Python
# see identical numbers (mtcars.csv is written once from R's datasets package, then read back).
out <- "tests/reference/cx"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

# 1. mtcars (R datasets; Henderson & Velleman 1981) for the relative-weights example of the rwa package
if (!file.exists(file.path(out, "mtcars.csv"))) {
  write.csv(cbind(model = rownames(mtcars), mtcars), file.path(out, "mtcars.csv"), row.names = FALSE)
}
d <- read.csv(file.path(out, "mtcars.csv"))
preds <- c("cyl", "disp", "hp", "gear")
# Johnson (2000) relative weights, written out as in Tonidandel & LeBreton (2011, appendix)
R <- cor(d[, c("mpg", preds)])
rxx <- R[-1, -1]; rxy <- R[-1, 1]
e <- eigen(rxx)
lambda <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
beta <- solve(lambda) %*% rxy
raw <- (lambda^2) %*% (beta^2)
r2 <- summary(lm(mpg ~ cyl + disp + hp + gear, data = d))$r.squared
write.csv(data.frame(predictor = preds, raw_weight = as.vector(raw), r2 = r2),
          file.path(out, "relweights_mtcars.csv"), row.names = FALSE)

# 2. paired t test of expectation vs experience (gap = P - E) on a small data set
g <- read.csv(file.path(out, "gap_small.csv"))
rows <- list()
for (pair in list(c("EXP1", "FUN1"), c("EXP2", "MEC1"))) {
  ok <- complete.cases(g[, pair])
  tt <- t.test(g[ok, pair[2]], g[ok, pair[1]], paired = TRUE, conf.level = 0.95)
  dd <- g[ok, pair[2]] - g[ok, pair[1]]
  rows[[length(rows) + 1]] <- data.frame(expectation = pair[1], experience = pair[2], n = sum(ok),
    gap = unname(tt$estimate), t = unname(tt$statistic), df = unname(tt$parameter), pvalue = tt$p.value,
    ci_lower = tt$conf.int[1], ci_upper = tt$conf.int[2], dz = mean(dd) / sd(dd))
}
write.csv(do.call(rbind, rows), file.path(out, "gap_small_ttest.csv"), row.names = FALSE)

# 3. chi-square test of the segment x NPS-class table
n <- read.csv(file.path(out, "nps_small.csv"), na.strings = c("", "NA"))
n <- n[!is.na(n$NPS) & !is.na(n$segment), ]
cls <- cut(n$NPS, c(-1, 6, 8, 10), labels = c("detractor", "passive", "promoter"))
ct <- chisq.test(table(n$segment, cls), correct = FALSE)
write.csv(data.frame(statistic = unname(ct$statistic), df = unname(ct$parameter), pvalue = ct$p.value),
          file.path(out, "nps_small_chisq.csv"), row.names = FALSE)
