# Reference values for the Heywood-case demonstration of notebook 06 (issue #22), lavaan 0.6.
# Run from the repository root:  Rscript tests/reference/notebook_heywood.R
# Writes tests/reference/notebook_heywood/*.csv; tests/test_notebook_heywood.py reads them.
# Data: lavaan's HolzingerSwineford1939 as bundled in datasets/holzinger_swineford.csv; the notebook fits
# the three-factor model to the first 60 pupils of the Pasteur school (a Heywood case: x1's residual
# variance is negative), to the whole school and to the first 60 Grant-White pupils (both proper), and
# to the 60 Pasteur pupils with x1's residual variance bounded at zero.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/notebook_heywood"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
hs <- read.csv("datasets/holzinger_swineford.csv")
pasteur <- hs[hs$school == "Pasteur", ]
hs_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
bound_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
x1 ~~ v1*x1
v1 > 0"

warn_log <- character()
write_fit <- function(name, model, data) {
  fit <- withCallingHandlers(cfa(model, data = data), warning = function(w) {
    warn_log <<- c(warn_log, paste0(name, ": ", conditionMessage(w)))
    invokeRestart("muffleWarning")
  })
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe, file.path(out, paste0(name, "_est.csv")), row.names = FALSE)
  fm <- fitMeasures(fit, c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "ntotal"))
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
}
write_fit("pasteur60", hs_model, head(pasteur, 60))
write_fit("pasteur60_bound", bound_model, head(pasteur, 60))
write_fit("pasteur", hs_model, pasteur)
write_fit("grant_white60", hs_model, head(hs[hs$school == "Grant-White", ], 60))
writeLines(warn_log, file.path(out, "warnings.txt"))
cat(warn_log, sep = "\n")
