# Reference values for issue #20 ("your own questionnaire"): psych::alpha's reverse-key warning on real data.
# Run from the repository root:  Rscript tests/reference/own_data.R
# Data: tests/reference/thesis/bfi500.csv, the first 500 complete rows of psychTools::bfi's 25 items
#   (answers 1-6; A1, C4, C5, E1, E2, O2, O5 are reverse keyed, as psychTools::bfi.keys says).
# Writes tests/reference/own_data/bfi_alpha.csv, one row per Big-Five scale:
#   flagged         the items psych::alpha(check.keys = FALSE) names in its warning ("Some items ( ... ) were
#                   negatively correlated with the total scale"): negative loadings on the first principal
#                   component, psych::principal(x)$loadings < 0
#   warned          whether alpha() raised that warning
#   alpha_nokeys    raw_alpha with check.keys = FALSE (items as answered)
#   alpha_checkkeys raw_alpha with check.keys = TRUE (psych reverses the flagged items)
#   alpha_reversed  raw_alpha after recoding the keyed items as 7 - x (1 + 6 - x)
#   std_alpha_reversed, lower/upper: std.alpha and the Feldt 95% interval (psych::alpha.ci) of the recoded scale
#   alpha_report    raw_alpha of the recoded scale on the rows a report keeps: cem-edu's cleaning drops
#                   straight-liners (the same answer to at least 13 of the 25 items in a row, long-string),
#                   n_report rows remain
suppressPackageStartupMessages({library(psych)})
out <- "tests/reference/own_data"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
bfi <- read.csv("tests/reference/thesis/bfi500.csv")
keyed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
scales <- list(agree = paste0("A", 1:5), conscientious = paste0("C", 1:5), extraversion = paste0("E", 1:5),
               neuroticism = paste0("N", 1:5), openness = paste0("O", 1:5))
rev <- bfi
for (k in keyed) rev[[k]] <- 7 - rev[[k]]
longest <- apply(bfi, 1, function(r) max(rle(as.numeric(r))$lengths))
kept <- rev[longest < 13, ]
rows <- list()
for (s in names(scales)) {
  x <- bfi[, scales[[s]]]
  warned <- FALSE
  a0 <- withCallingHandlers(
    {capture.output(res <- alpha(x, check.keys = FALSE)); res},
    warning = function(w) {warned <<- TRUE; invokeRestart("muffleWarning")})
  p1 <- principal(x, scores = FALSE)
  flagged <- rownames(p1$loadings)[p1$loadings < 0]
  a1 <- suppressWarnings(alpha(x, check.keys = TRUE))
  a2 <- alpha(rev[, scales[[s]]], check.keys = FALSE)
  ci <- alpha.ci(a2$total$raw_alpha, n.obs = nrow(rev), n.var = length(scales[[s]]), digits = 10)
  rows[[s]] <- data.frame(construct = s, items = paste(scales[[s]], collapse = " "),
                          flagged = paste(flagged, collapse = " "), warned = warned,
                          alpha_nokeys = a0$total$raw_alpha, alpha_checkkeys = a1$total$raw_alpha,
                          alpha_reversed = a2$total$raw_alpha, std_alpha_reversed = a2$total$std.alpha,
                          lower = ci$lower.ci, upper = ci$upper.ci,
                          alpha_report = alpha(kept[, scales[[s]]], check.keys = FALSE)$total$raw_alpha,
                          n_report = nrow(kept))
}
res <- do.call(rbind, rows)
write.csv(res, file.path(out, "bfi_alpha.csv"), row.names = FALSE)
print(res)
