# Reference for tests/test_sem_warnings.py: lavaan's post-fit check of the latent covariance matrix.
# A factor correlation fixed at 1.2 makes cov.lv not positive definite; lavaan then warns
# "covariance matrix of latent variables is not positive definite" (lav_object_post_check).
# Run from the repository root: Rscript tests/reference/sem_warnings.R
library(lavaan)
library(jsonlite)
m <- 'visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
visual ~~ 1*visual
textual ~~ 1*textual
visual ~~ 1.2*textual'
msgs <- character()
fit <- withCallingHandlers(cfa(m, data = HolzingerSwineford1939, std.lv = TRUE),
                           warning = function(w) { msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning") })
cov_lv <- lavInspect(fit, "cov.lv")
out <- list(chisq = unname(fitMeasures(fit, "chisq")), df = unname(fitMeasures(fit, "df")),
            min_eigen = min(eigen(cov_lv, symmetric = TRUE, only.values = TRUE)$values),
            warns_cov_lv = any(grepl("covariance matrix of latent variables", msgs)),
            lavaan = as.character(packageVersion("lavaan")))
write_json(out, "tests/reference/sem_warnings/cov_lv.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
